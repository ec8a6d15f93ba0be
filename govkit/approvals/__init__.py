"""Four eyes: an action that needs a second legal officer's approval (a substantive publication of
a root template version, a change to the required clauses, a waiver of an ``error`` finding) is
first a *request*; another legal officer approves it — the action is then carried out, in the
approval's transaction — or refuses it with a comment. Both names and times are kept.

- ``models``: the requests and their decisions (``approval``);
- ``service``: ``four_eyes`` (is it needed, GOVKIT_FOUR_EYES), ``request`` (in the requesting
  service's transaction), ``approve``, ``refuse``, ``pending``, ``history``;
- ``types``, ``resolvers``: GraphQL (``pendingApprovals``, ``approvals``, ``approve``,
  ``refuseApproval``).

What an approved request does is not known here: each domain (or flow) that asks for approvals
declares a ``Handler`` under its action name, and govkit.composition hands them all to the
resolvers and pages (``HANDLERS``), so that this package imports no other domain.
"""
