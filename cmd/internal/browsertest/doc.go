// Package browsertest is the headless-Chromium harness of the serve and
// edge end-to-end suites: it finds Chromium (a missing browser fails in CI
// and skips elsewhere), starts it with a fresh profile, forwards every
// tab's console to the test log and fails the test on an error or an
// uncaught exception the test did not expect, and evaluates, polls and
// reads storage and cookies in a tab on behalf of a test.
//
// It is imported by tests only.
package browsertest
