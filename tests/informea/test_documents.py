"""The OData documents generated from the model: $metadata names, and how values are written in JSON and Atom."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET

from kg.informea import documents
from kg.informea.model import MODEL

EDM = "{http://schemas.microsoft.com/ado/2008/09/edm}"
D, M = f"{{{documents.D}}}", f"{{{documents.M}}}"
BASE = "http://example.org/informea/"


def test_metadata_has_informeas_edm_names_and_record_sets():
    schema = ET.fromstring(documents.metadata(MODEL)).find(f"{{*}}DataServices/{EDM}Schema")
    types = {t.get("Name"): t for t in schema.findall(f"{EDM}EntityType")}
    decision = types["Decision"]
    assert [n.get("Name") for n in decision.findall(f"{EDM}NavigationProperty")] == [
        "title",
        "longTitle",
        "summary",
        "content",
        "keywords",
        "files",
        "documents",
    ]
    meeting = {p.get("Name"): p.get("Type") for p in types["Meeting"].findall(f"{EDM}Property")}
    assert (meeting["latitude"], meeting["virtual"], meeting["treatyUUID"]) == (
        "Edm.Double",
        "Edm.Boolean",
        "Edm.String",
    )
    sets = {s.get("Name"): s.get("EntityType") for s in schema.iter(f"{EDM}EntitySet")}
    assert len(sets) == len(MODEL.types)  # one set per type, no name twice
    assert sets["longTitle"] == "informea.DecisionLongTitle" and sets["treaty"] == "informea.DocumentTreaty"
    assert sets["description"] == "informea.TreatyDescription"
    assert sets["MeetingDescription"] == "informea.MeetingDescription"  # the one name that is ours


def test_values_in_json_and_atom():
    meeting_type = MODEL.type("Meeting")
    meeting = {p.name: None for p in meeting_type.properties} | {
        "id": "meeting/m",
        "start": dt.datetime(2014, 11, 4),
        "latitude": -0.22,
        "virtual": False,
    }
    body = json.loads(documents.json_single(MODEL, meeting_type, meeting, BASE))["d"]
    assert (body["start"], body["latitude"], body["virtual"], body["treatyUUID"]) == (
        "/Date(1415059200000)/",
        -0.22,
        False,
        None,
    )
    assert body["title"] == {"__deferred": {"uri": BASE + "Meetings('meeting/m')/title"}}
    entry = ET.fromstring(documents.atom_single(MODEL, meeting_type, meeting, BASE, None))
    properties = entry.find(f"{{*}}content/{M}properties")
    assert properties.find(f"{D}virtual").text == "false" and properties.find(f"{D}virtual").get(f"{M}type") == (
        "Edm.Boolean"
    )
    assert properties.find(f"{D}latitude").text == "-0.22"
    assert properties.find(f"{D}start").text == "2014-11-04T00:00:00"
    assert properties.find(f"{D}treatyUUID").get(f"{M}null") == "true"
