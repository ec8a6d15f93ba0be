"""Where domains meet: each step that changes several domains at once is one small function here
(publication.py: a variant put in force opens its campaign), over the domains' own services, in
one transaction it owns. Domains never import this package; entry points and the demo do."""
