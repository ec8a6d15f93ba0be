"""Authorisation primitives every domain uses: principals and roles, the policy (actions and
who may do them), scoped lookups that refuse without revealing, and the audit log.

Authentication (identities, tokens, OpenID Connect, grants) is govkit.auth, above the domains."""
