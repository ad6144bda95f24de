"""Which artefacts a structure query selects: `/{resource}/{agencyID}/{resourceID}/{version}
/{itemID}` plus `references` (none, parents, parentsandsiblings, children, descendants, all,
or a resource type)."""

from __future__ import annotations

from indices.disseminate.sdmx.dsd import CODELIST_IDS, CONCEPT_SCHEME_ID
from indices.disseminate.sdmx.errors import no_results, syntax_error
from indices.disseminate.sdmx.structures import Selection
from indices.disseminate.sdmx.xmlutil import AGENCY, DSD_ID, FLOW_ID, VERSION

RESOURCES = ("dataflow", "datastructure", "codelist", "conceptscheme")
# The other SDMX-REST (1.5 and 2.x) query resources. A service must answer them all, if only
# with 501 Not implemented (SDMX-REST, error 501), which tells a client the query is valid SDMX
# but not offered here, where 404 would say nothing matched. Any other path is a 404.
UNIMPLEMENTED_RESOURCES = frozenset(
    {
        "actualconstraint",
        "agencyscheme",
        "allowedconstraint",
        "attachmentconstraint",
        "availability",
        "categorisation",
        "categoryscheme",
        "categoryschememap",
        "conceptschememap",
        "contentconstraint",
        "customtypescheme",
        "dataconstraint",
        "dataconsumerscheme",
        "dataproviderscheme",
        "hierarchicalcodelist",
        "hierarchy",
        "hierarchyassociation",
        "metadata",
        "metadataconstraint",
        "metadataflow",
        "metadataprovisionagreement",
        "metadataproviderscheme",
        "metadatastructure",
        "namepersonalisationscheme",
        "organisationscheme",
        "organisationschememap",
        "organisationunitscheme",
        "process",
        "provisionagreement",
        "registration",
        "reportingtaxonomy",
        "reportingtaxonomymap",
        "representationmap",
        "rulesetscheme",
        "schema",
        "structure",
        "structureset",
        "transformationscheme",
        "userdefinedoperatorscheme",
        "valuelist",
        "vtlmappingscheme",
    }
)
REFERENCES = ("none", "parents", "parentsandsiblings", "children", "descendants", "all")
DETAILS = (
    "full",
    "allstubs",
    "referencestubs",
    "allcompletestubs",
    "referencecompletestubs",
    "referencepartial",
)
ANY = {"all", "*", "latest", "~", ""}

Artefact = tuple[str, str]  # (resource, id)


def _universe() -> list[Artefact]:
    return [
        ("dataflow", FLOW_ID),
        ("datastructure", DSD_ID),
        ("conceptscheme", CONCEPT_SCHEME_ID),
        *(("codelist", codelist) for codelist in CODELIST_IDS),
    ]


def _children(artefact: Artefact) -> list[Artefact]:
    if artefact[0] == "dataflow":
        return [("datastructure", DSD_ID)]
    if artefact[0] == "datastructure":
        return [a for a in _universe() if a[0] in {"conceptscheme", "codelist"}]
    return []


def _parents(artefact: Artefact) -> list[Artefact]:
    if artefact[0] == "datastructure":
        return [("dataflow", FLOW_ID)]
    if artefact[0] in {"conceptscheme", "codelist"}:
        return [("datastructure", DSD_ID)]
    return []


def _descendants(artefacts: list[Artefact]) -> list[Artefact]:
    found: list[Artefact] = []
    todo = list(artefacts)
    while todo:
        for child in _children(todo.pop()):
            if child not in found:
                found.append(child)
                todo.append(child)
    return found


def _matches(pattern: str | None, value: str) -> bool:
    return pattern is None or pattern in ANY or value in pattern.split("+")


def select(
    resource: str,
    agency: str | None,
    resource_id: str | None,
    version: str | None,
    item_id: str | None,
    references: str,
    detail: str,
) -> Selection:
    if references not in REFERENCES and references not in RESOURCES:
        raise syntax_error(
            f"references must be one of {', '.join(REFERENCES)} or a structure type, "
            f"not {references!r}."
        )
    if detail not in DETAILS:
        raise syntax_error(f"detail must be one of {', '.join(DETAILS)}, not {detail!r}.")
    if not _matches(agency, AGENCY):
        raise no_results(f"No {resource} matches the query.")
    if not _matches(version, VERSION):
        raise no_results(f"No {resource} in version {version!r}; the current one is {VERSION}.")
    matched = [a for a in _universe() if a[0] == resource and _matches(resource_id, a[1])]
    if not matched:
        raise no_results(f"No {resource} {resource_id!r}.")
    chosen = list(matched)
    parents = [p for a in matched for p in _parents(a)]
    if references in {"parents", "parentsandsiblings", "all"}:
        chosen += parents
    if references in {"parentsandsiblings", "all"}:
        chosen += [c for p in parents for c in _children(p)]
    if references == "children":
        chosen += [c for a in matched for c in _children(a)]
    if references in {"descendants", "all"}:
        chosen += _descendants(matched)
    if references in RESOURCES:
        related = [*_descendants(matched), *parents, *_descendants(parents)]
        chosen += [a for a in related if a[0] == references]
    selection = Selection()
    lists = {
        "dataflow": selection.dataflows,
        "datastructure": selection.datastructures,
        "conceptscheme": selection.conceptschemes,
        "codelist": selection.codelists,
    }
    for kind, artefact_id in dict.fromkeys(chosen):
        lists[kind].append(artefact_id)
    if item_id and item_id not in ANY:
        if resource not in {"codelist", "conceptscheme"}:
            raise syntax_error(f"An item id applies to item schemes only, not to {resource}.")
        for codelist in selection.codelists:
            selection.codelist_items[codelist] = set(item_id.split("+"))
    return selection
