# PolicyBenchmark's "files" ABAC policy (the cel* rows) in Rego: the same four rules as the CEL policy,
# deny-overrides. Wasm-native builtins only: time.parse_rfc3339_ns is not one (opa-java-wasm does not provide
# it either), so the expiry compares the RFC 3339 strings, which is exact only because the benchmark writes
# every timestamp in the one canonical form YYYY-MM-DDThh:mm:ssZ (UTC).
package bench.files

default allow := false

allow if {
	permit
	not deny
}

# Members of any of the file's groups may read it.
permit if {
	input.action == "read"
	some g in input.subject.attributes.groups
	g in input.resource.attributes.groups
}

# Files under one's home may be written while twice their size stays under one's quota.
permit if {
	input.action == "write"
	startswith(input.resource.attributes.path, input.subject.attributes.home)
	input.resource.attributes.size * 2 < input.subject.attributes.quota
}

# Nothing once the file has expired.
deny if input.context.now >= input.resource.attributes.expires

# No writes to badly named or over-tagged files.
deny if {
	input.action == "write"
	not regex.match(`^[a-z0-9._-]{1,64}$`, input.resource.attributes.name)
}

deny if {
	input.action == "write"
	count(input.resource.attributes.tags) > 8
}
