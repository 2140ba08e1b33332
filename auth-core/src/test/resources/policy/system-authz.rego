# OPA's own API authorization (https://www.openpolicyagent.org/docs/security#authentication-and-authorization):
# with --authentication=token --authorization=basic, only callers presenting this test token are served.
package system.authz

default allow := false

allow if input.identity == "test-token-1"
