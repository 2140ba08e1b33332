# PolicyBenchmark's RBAC model in Rego: grants per role, already expanded through inheritance, in data.json
# (written by the benchmark from the same model as our RBAC and jCasbin). Wasm-native builtins only.
package bench.authz

default allow := false

allow if {
	some role in input.subject.roles
	some granted in data.bench.grants[role][input.resource.type]
	granted == input.action
}

# The ABAC policy: owners may do anything to their documents; members of the document's department may read.
default abac_allow := false

abac_allow if input.resource.attributes.owner == input.subject.id

abac_allow if {
	input.action == "read"
	input.subject.attributes.department == input.resource.attributes.department
}
