//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// codeRedeemer redeems callbacks in IndexedDB, which every tab of the
// origin shares, so that duplicated tabs exchange a code once. It opens the
// database on the first callback only. Without IndexedDB (blocked storage)
// it falls back to this page only; the provider then refuses the second
// exchange of the single-use code.
type codeRedeemer struct{}

var pageRedemptions = oauth.NewMemoryRedeemer()

func (codeRedeemer) Redeem(ctx context.Context, key string) (bool, error) {
	if first, ok, err := loaderRedemption(key); ok {
		if err == nil && first {
			if s, serr := sharedStorage(); serr == nil {
				s.(idbStorage).schedulePrune(key)
			}
		}
		return first, err
	}
	s, err := sharedStorage()
	if err != nil {
		return pageRedemptions.Redeem(ctx, key)
	}
	return s.(idbStorage).Redeem(ctx, key)
}

// loaderRedemption waits for the redemption the loader started for key
// when the page called handleCallback (web/gopkce.js, preRedeem): the same
// add, in the same transaction, begun before the module was entered. ok is
// false when the loader started none, or had no database.
func loaderRedemption(key string) (first, ok bool, err error) {
	p, ok := callLoader(names.HookRedeem, key)
	if !ok || !p.Truthy() {
		return false, false, nil
	}
	v, err := await(p)
	if err != nil {
		return false, true, err
	}
	if v.Type() != js.TypeBoolean {
		return false, false, nil // no database: redeemed here
	}
	return v.Bool(), true, nil
}
