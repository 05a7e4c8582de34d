#!/usr/bin/env python3
"""Checks what leafpress writes for machines, with nothing but the standard
library (the jsonschema package is used too when it is installed):

  check_report.py report FILE...   each a JSON report valid against
                                   docs/report.schema.json, totals adding up
  check_report.py sarif FILE [N]   a SARIF 2.1.0 log with the properties
                                   GitHub code scanning requires (and N results)

Exit status 1 with the first problem on stderr."""
import json
import os
import re
import sys

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "report.schema.json")


def fail(where, message):
    sys.exit(f"{where}: {message}")


def type_ok(value, name):
    if name == "null":
        return value is None
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, {"string": str, "object": dict, "array": list, "boolean": bool}[name])


def validate(value, schema, where):
    """The subset of JSON Schema that docs/report.schema.json uses."""
    known = {"$schema", "$id", "title", "description", "type", "const", "enum", "required",
             "additionalProperties", "properties", "items", "minimum", "pattern"}
    unknown = set(schema) - known
    if unknown:
        fail(where, f"schema uses {sorted(unknown)}, which this checker does not know")
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(type_ok(value, t) for t in types):
            fail(where, f"{value!r} is not of type {types}")
    if "const" in schema and value != schema["const"]:
        fail(where, f"{value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        fail(where, f"{value!r} is not one of {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and "minimum" in schema:
        if value < schema["minimum"]:
            fail(where, f"{value} is below {schema['minimum']}")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        fail(where, f"{value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                fail(where, f"'{key}' is missing")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                validate(item, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                fail(where, f"'{key}' is not in the schema")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{i}]")


def check_report(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)  # also proves the escaping: strict JSON, UTF-8
    with open(SCHEMA, encoding="utf-8") as f:
        schema = json.load(f)
    validate(report, schema, path)
    try:
        import jsonschema
        jsonschema.validate(report, schema)
    except ImportError:
        pass
    outputs, totals = report["outputs"], report["totals"]
    for status in ("built", "unchanged", "failed"):
        n = sum(o["status"] == status for o in outputs)
        if totals[status] != n:
            fail(path, f"totals.{status} is {totals[status]}, the outputs say {n}")
    if totals["outputs"] != len(outputs):
        fail(path, "totals.outputs is not the number of outputs")
    for severity, key in (("error", "errors"), ("warning", "warnings"), ("note", "notes")):
        n = sum(d["severity"] == severity for d in report["diagnostics"])
        if totals[key] != n:
            fail(path, f"totals.{key} is {totals[key]}, the diagnostics say {n}")
    paths = [o["path"] for o in outputs]
    if len(paths) != len(set(paths)):
        fail(path, "an output is listed twice")
    for o in outputs:
        if o["status"] in ("built", "unchanged"):
            if o["sha256"] is None or o["pages"] is None or not o["files"]:
                fail(path, f"{o['path']}: a {o['status']} output needs sha256, pages and files")
            if o["files"][0]["path"] != o["path"] or o["files"][0]["sha256"] != o["sha256"]:
                fail(path, f"{o['path']}: files[0] must be the output itself")
            if sum(f["bytes"] for f in o["files"]) != o["bytes"]:
                fail(path, f"{o['path']}: bytes is not the sum of its files")
        # paths are relative to the project root, where the report is written;
        # resolved against the current folder they would compare another file
        on_disk = os.path.join(os.path.dirname(os.path.abspath(path)), o["path"])
        if o["status"] == "built" and os.path.exists(on_disk):
            import hashlib
            with open(on_disk, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != o["sha256"]:
                    fail(path, f"{o['path']}: sha256 is not that of the file on disk")
    return report


def check_sarif(path, want=None):
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    if log.get("version") != "2.1.0":
        fail(path, "version is not 2.1.0")
    runs = log.get("runs")
    if not isinstance(runs, list) or len(runs) != 1:
        fail(path, "runs must be a list of one run")
    run = runs[0]
    driver = run.get("tool", {}).get("driver", {})
    if not isinstance(driver.get("name"), str):
        fail(path, "runs[0].tool.driver.name is required")
    rules = {r["id"] for r in driver.get("rules", [])}
    results = run.get("results")
    if not isinstance(results, list):
        fail(path, "runs[0].results must be a list")
    for i, r in enumerate(results):
        where = f"{path}: results[{i}]"
        if not isinstance(r.get("message", {}).get("text"), str):
            fail(where, "message.text is required")
        if r.get("level") not in ("none", "note", "warning", "error"):
            fail(where, f"bad level {r.get('level')!r}")
        if r.get("ruleId") not in rules:
            fail(where, "ruleId must name a rule of the driver (GitHub needs one)")
        for loc in r.get("locations", []):
            art = loc["physicalLocation"]["artifactLocation"]
            if not isinstance(art.get("uri"), str) or re.search(r"[\s#?]", art["uri"]):
                fail(where, f"bad uri {art.get('uri')!r}")
            if "uriBaseId" in art and art["uriBaseId"] not in run.get("originalUriBaseIds", {}):
                fail(where, "uriBaseId is not in originalUriBaseIds")
            region = loc["physicalLocation"].get("region")
            if region is not None and (not isinstance(region.get("startLine"), int) or region["startLine"] < 1):
                fail(where, "region.startLine must be >= 1")
    if want is not None and len(results) != want:
        fail(path, f"{len(results)} results, expected {want}")
    return log


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "report":
        for p in sys.argv[2:]:
            check_report(p)
    elif len(sys.argv) in (3, 4) and sys.argv[1] == "sarif":
        check_sarif(sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else None)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
