// Package demo holds what the example programs quickstart and dashboard
// share: opening the store from command-line flags, the Manager they run,
// the demo admin token that guards the management API, the example
// protected API (GET /v1/products) and serving on a loopback address with a
// graceful shutdown.
//
// It is example code, kept small and readable; a real service replaces the
// admin token with its own sign-in and the product list with its own API.
package demo
