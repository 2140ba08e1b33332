# The decision table's policy in Rego (OPA v1 syntax). Role grants, already expanded through inheritance,
# come from data.json, which the REST tests load with `opa run` and the Wasm tests take from the bundle.
# Only builtins that OPA's Wasm target implements natively are used.
package gatehouse.authz

default allow := false

allow if {
	known_action
	some role in input.subject.roles
	some granted in data.gatehouse.grants[role][input.resource.type]
	action_matches(granted)
}

known_action if {
	some a in data.gatehouse.known_actions
	a == input.action
}

action_matches(granted) if granted == input.action

action_matches(granted) if granted == "*"

default decision := {"allow": false, "reason": "no role grants the permission"}

decision := {"allow": true, "reason": "a role grants the permission"} if allow

decision := {"allow": false, "reason": "unknown action"} if not known_action
