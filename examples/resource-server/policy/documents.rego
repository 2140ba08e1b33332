# An Open Policy Agent policy for the documents API (OPA v1 syntax), served by `opa run --server` and queried
# at documents/decision. It only speaks about classified documents (a veto); for everything else it answers
# "not applicable", so under deny-overrides RBAC and ABAC decide as before.
package documents

default decision := {"applicable": false, "reason": "no OPA rule applies"}

decision := {"allow": false, "reason": "classified documents are closed to everyone"} if {
	input.resource.type == "document"
	input.resource.attributes.classified == true
}
