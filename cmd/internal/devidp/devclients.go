package devidp

// Development credentials: the confidential and machine-to-machine
// clients that `go run ./cmd/serve` registers at this development
// provider, with fixed secrets so that another program on the machine
// (the edge under `wrangler dev --env local-confidential`, a Go program
// using wasm/server/m2m) can use them. They are published in the
// repository and accepted by this development provider only: never
// register them at a real provider.
const (
	DevConfidentialClientID = "gopkce-demo-confidential"
	DevConfidentialSecret   = "dev-only-not-secret-confidential"
	DevM2MClientID          = "gopkce-m2m"
	DevM2MSecret            = "dev-only-not-secret-m2m"
)

// DevM2MScopes are what the machine-to-machine client may ask for.
var DevM2MScopes = []string{"api/read", "api/write"}

// DevClients are the development clients besides the public one: the
// machine-to-machine client, and the confidential twin of public (its
// redirect and logout URIs, loopback rule included) authenticating with
// authMethod ("" for client_secret_basic).
func DevClients(public Client, authMethod string) []Client {
	conf := public
	conf.ID, conf.Secret, conf.AuthMethod = DevConfidentialClientID, DevConfidentialSecret, authMethod
	return []Client{
		{ID: DevM2MClientID, Secret: DevM2MSecret, Scopes: DevM2MScopes},
		conf,
	}
}
