module github.com/gopkce/gopkce

go 1.26.8

require (
	github.com/andybalholm/brotli v1.2.8
	github.com/golang-jwt/jwt/v5 v5.3.1
)
