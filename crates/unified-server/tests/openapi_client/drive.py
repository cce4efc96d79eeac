"""Drives a running unified server through a client generated from its OpenAPI document by
openapi-python-client: every record operation of every resource of one provider (with the example
bodies the providers endpoint lists), and the other endpoints. Each answer must parse into the
generated models. Prints the operationIds it called, as JSON, on the last line.

usage: drive.py <client package dir> <base URL> <API key> <provider>"""
import importlib
import json
import sys
import uuid

package_dir, base_url, api_key, provider = sys.argv[1:5]
sys.path.insert(0, package_dir)
from client import AuthenticatedClient  # noqa: E402

client = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)
called = []
PLURAL = {"contact": "contacts", "lead": "leads", "deal": "deals", "meeting": "meetings", "company": "companies"}


def module(tag, name):
    return importlib.import_module(f"client.api.{tag}.{name}")


def arg_class(mod, suffix):
    """The generated class a parameter takes (the provider enum, the body model)."""
    found = [v for k, v in vars(mod).items() if isinstance(v, type) and k.endswith(suffix)]
    assert len(found) == 1, (mod.__name__, suffix, found)
    return found[0]


def call(operation_id, mod, expected, **kwargs):
    response = mod.sync_detailed(client=client, **kwargs)
    assert response.status_code == expected, (operation_id, response.status_code, response.content[:500])
    assert response.parsed is not None, (operation_id, "the answer did not parse into the generated model")
    called.append(operation_id)
    return response.parsed


def unique(value):
    return json.loads(json.dumps(value).replace("{n}", uuid.uuid4().hex[:12]))


info = call("getProvider", module("default", "get_provider"), 200, id=provider).data.data
operations = info.operations.to_dict()
examples = info.examples.to_dict()
for resource, ops in operations.items():
    title = resource.capitalize()
    names = {
        "create": (f"create{title}", f"create_{resource}", 201),
        "get": (f"get{title}", f"get_{resource}", 200),
        "list": (f"list{PLURAL[resource].capitalize()}", f"list_{PLURAL[resource]}", 200),
        "update": (f"update{title}", f"update_{resource}", 200),
        "delete": (f"delete{title}", f"delete_{resource}", 200),
    }
    end_user = f"openapi-{uuid.uuid4().hex[:8]}"
    record_id = None
    for op in ["create", "get", "list", "update", "delete"]:
        if op not in ops:
            continue
        operation_id, name, status = names[op]
        mod = module(resource, name)
        kwargs = {"provider": arg_class(mod, "Provider")(provider), "end_user_id": end_user}
        if op == "create":
            kwargs["body"] = arg_class(mod, "Input").from_dict(unique(examples[resource]["create"]))
        if op == "update":
            kwargs["body"] = arg_class(mod, "Patch").from_dict(unique(examples[resource]["update"]))
        if op in ("get", "update", "delete"):
            kwargs["id"] = record_id
        if op == "list":
            kwargs["limit"] = 2
        parsed = call(operation_id, mod, status, **kwargs)
        if op == "create":
            record_id = parsed.data.data.id
        if op == "list":
            assert isinstance(parsed.data.data, list), parsed
        if op in ("get", "update"):
            assert parsed.data.data.id == record_id, (operation_id, parsed)

call("listProviders", module("default", "list_providers"), 200)
call("getSchema", module("default", "get_schema"), 200, resource=arg_class(module("default", "get_schema"), "Resource")("company"))
call("getOpenApi", module("default", "get_open_api"), 200)
connections = module("default", "create_connection")
body = {"endUserId": f"conn-{uuid.uuid4().hex[:8]}", "provider": provider, "credentials": {"apiKey": "k-" + uuid.uuid4().hex}}
made = call("createConnection", connections, 201, body=arg_class(connections, "ConnectionInput").from_dict(body))
listed = call("listConnections", module("default", "list_connections"), 200, end_user_id=body["endUserId"])
assert [c.id for c in listed.data.data] == [made.data.data.id], listed
response = module("default", "delete_connection").sync_detailed(client=client, id=made.data.data.id)
assert response.status_code == 204, response.status_code
called.append("deleteConnection")
for operation_id, name in [("liveness", "liveness"), ("readiness", "readiness")]:
    response = module("default", name).sync_detailed(client=client)
    assert response.status_code == 200, (operation_id, response.status_code)
    called.append(operation_id)
print(json.dumps(called))
