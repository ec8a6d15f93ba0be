"""What an anonymous caller may ask for: the root fields declared public, and nothing else.

A root field is public when its resolver says so (``metadata=public(Action...)``, govkit.resolving; an action of
govkit.access.policy.PUBLIC_ACTIONS that its service authorises). Any other root field, and every
mutation, needs an identity: an anonymous operation that asks for one is answered 401 before it
is executed, whatever its arguments, so that nothing it names is looked up or validated and the
answer says nothing but "authenticate". The services check again (deny by default).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from govkit.access.policy import PUBLIC_ACTIONS
from govkit.resolving import PUBLIC

#: Introspection root fields (limited in production by a validation rule of their own).
INTROSPECTION = frozenset({"__typename", "__schema", "__type"})


def public_fields(schema: GraphQLSchema) -> frozenset[str]:
    """The root query fields an anonymous caller may ask for."""
    names = set(INTROSPECTION)
    if schema.query_type is not None:
        for name, field in schema.query_type.fields.items():
            definition = (field.extensions or {}).get("strawberry-definition")
            metadata = getattr(definition, "metadata", None) or {}
            if metadata.get(PUBLIC) in PUBLIC_ACTIONS:
                names.add(name)
    return frozenset(names)


def root_fields(
    definition: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]
) -> tuple[FieldNode, ...]:
    """The operation's root fields in order, those of its fragments (spread or inline) included:
    what the rate limit, the audit log and the anonymous gate look at."""
    return tuple(_root_fields(definition.selection_set, fragments, set()))


def _root_fields(
    selections: SelectionSetNode, fragments: Mapping[str, FragmentDefinitionNode], seen: set[str]
) -> Iterator[FieldNode]:
    for selection in selections.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _root_fields(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _root_fields(fragment.selection_set, fragments, seen)


def anonymous_may_ask(kind: str, fields: tuple[FieldNode, ...], public: frozenset[str]) -> bool:
    """Whether an anonymous caller may execute an operation of ``kind`` with these root fields: a
    query (never a mutation) whose root fields are all public."""
    return kind == "query" and all(field.name.value in public for field in fields)
