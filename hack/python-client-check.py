#!/usr/bin/env python3
"""Checks that the official Python `kubernetes` client works, unchanged, against a Concord control plane.

Usage: hack/python-client-check.py KUBECONFIG [CRDS_DIR]

Loads KUBECONFIG with kubernetes.config.load_kube_config (over TLS: the kubeconfig's CA and token), then:
  1. CoreV1Api: creates, reads, lists, patches, replaces and deletes a ConfigMap in a fresh namespace;
  2. ApiextensionsV1Api: applies every CRD in CRDS_DIR (default: crds/ beside this script) and waits
     until each is Established;
  3. CustomObjectsApi: creates, reads, lists, patches (status too) and deletes a Datacenter;
  4. DynamicClient: discovers ConfigMap and Datacenter, gets and lists them;
  5. watch.Watch().stream: sees ADDED, MODIFIED and DELETED for a ConfigMap.
Prints one line per step; exits non-zero with the failing step on the first failure.
"""
import os
import sys
import threading
import time
import uuid

import yaml
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

GROUP, VERSION = "federation.concord.dev", "v1alpha1"


def step(name):
    print(f"ok  {name}", flush=True)


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def configmaps(core, ns):
    name = "py-cm"
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels={"app": "py"}), data={"k": "v1"})
    created = core.create_namespaced_config_map(ns, body)
    check(created.metadata.uid and created.metadata.resource_version, "create returns uid and resourceVersion")
    got = core.read_namespaced_config_map(name, ns)
    check(got.data == {"k": "v1"}, f"read returns the data, got {got.data}")
    listed = core.list_namespaced_config_map(ns, label_selector="app=py")
    check([i.metadata.name for i in listed.items] == [name], "list with a label selector finds it")
    check(listed.metadata.resource_version, "list has a resourceVersion")
    patched = core.patch_namespaced_config_map(name, ns, {"data": {"k": "v2"}})
    check(patched.data["k"] == "v2", "strategic-merge patch changes the data")
    patched.data["extra"] = "x"
    replaced = core.replace_namespaced_config_map(name, ns, patched)
    check(replaced.data == {"k": "v2", "extra": "x"}, "replace stores the object")
    try:
        stale = core.read_namespaced_config_map(name, ns)
        stale.metadata.resource_version = created.metadata.resource_version
        core.replace_namespaced_config_map(name, ns, stale)
        raise AssertionError("a stale replace must fail")
    except ApiException as e:
        check(e.status == 409, f"a stale replace gets 409, got {e.status}")
    status = core.delete_namespaced_config_map(name, ns)
    check(status is not None, "delete answers")
    try:
        core.read_namespaced_config_map(name, ns)
        raise AssertionError("a deleted ConfigMap must be gone")
    except ApiException as e:
        check(e.status == 404, f"reading a deleted object gets 404, got {e.status}")
    step("CoreV1Api ConfigMap create/read/list/patch/replace/delete (409 and 404 as ApiException)")


def apply_crds(ext, crds_dir):
    names = []
    for file in sorted(os.listdir(crds_dir)):
        if not file.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(crds_dir, file)) as f:
            for doc in yaml.safe_load_all(f):
                if not doc:
                    continue
                name = doc["metadata"]["name"]
                try:
                    ext.create_custom_resource_definition(doc)
                except ApiException as e:
                    if e.status != 409:
                        raise
                    current = ext.read_custom_resource_definition(name)
                    doc["metadata"]["resourceVersion"] = current.metadata.resource_version
                    ext.replace_custom_resource_definition(name, doc)
                names.append(name)
    deadline = time.time() + 30
    for name in names:
        while True:
            crd = ext.read_custom_resource_definition(name)
            conditions = (crd.status and crd.status.conditions) or []
            if any(c.type == "Established" and c.status == "True" for c in conditions):
                break
            check(time.time() < deadline, f"CRD {name} Established within 30 s")
            time.sleep(0.1)
    check(len(names) >= 1, f"CRDs found in {crds_dir}")
    step(f"ApiextensionsV1Api applied {len(names)} CRDs, all Established")


def datacenters(custom, name):
    plural = "datacenters"
    body = {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "Datacenter",
        "metadata": {"name": name, "labels": {"from": "python"}},
        "spec": {"region": "py-east-1"},
    }
    created = custom.create_cluster_custom_object(GROUP, VERSION, plural, body)
    check(created["metadata"]["uid"], "custom object create returns a uid")
    got = custom.get_cluster_custom_object(GROUP, VERSION, plural, name)
    check(got["spec"]["region"] == "py-east-1", "custom object get returns the spec")
    listed = custom.list_cluster_custom_object(GROUP, VERSION, plural, label_selector="from=python")
    check([i["metadata"]["name"] for i in listed["items"]] == [name], "custom object list with a selector")
    patched = custom.patch_cluster_custom_object(GROUP, VERSION, plural, name, {"metadata": {"labels": {"patched": "yes"}}})
    check(patched["metadata"]["labels"].get("patched") == "yes", "custom object merge patch")
    with_status = custom.patch_cluster_custom_object_status(GROUP, VERSION, plural, name, {"status": {"phase": "Pending"}})
    check(with_status.get("status", {}).get("phase") == "Pending", f"status patch, got {with_status.get('status')}")
    step("CustomObjectsApi Datacenter create/get/list/patch/patch-status")


def dynamic_client(api, ns, dc_name):
    dyn = dynamic.DynamicClient(api)
    cms = dyn.resources.get(api_version="v1", kind="ConfigMap")
    dyn_cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dyn-cm"}, "data": {"a": "b"}}
    cms.create(body=dyn_cm, namespace=ns)
    got = cms.get(name="dyn-cm", namespace=ns)
    check(got.data.a == "b", "DynamicClient get returns the ConfigMap")
    listed = cms.get(namespace=ns)
    check("dyn-cm" in [i.metadata.name for i in listed.items], "DynamicClient list finds the ConfigMap")
    dcs = dyn.resources.get(api_version=f"{GROUP}/{VERSION}", kind="Datacenter")
    check(dcs.namespaced is False, "Datacenter is cluster-scoped in discovery")
    dc = dcs.get(name=dc_name)
    check(dc.spec.region == "py-east-1", "DynamicClient get of a custom object")
    check(dc_name in [i.metadata.name for i in dcs.get().items], "DynamicClient list of a custom object")
    cms.delete(name="dyn-cm", namespace=ns)
    step("DynamicClient discovery, get and list (ConfigMap, Datacenter)")


def watch_stream(core, ns):
    rv = core.list_namespaced_config_map(ns).metadata.resource_version
    seen, errors = [], []
    w = watch.Watch()

    def run():
        try:
            for event in w.stream(core.list_namespaced_config_map, ns, resource_version=rv, timeout_seconds=30):
                obj = event["object"]
                if obj.metadata.name == "watched":
                    seen.append((event["type"], (obj.data or {}).get("k")))
                if [t for t, _ in seen] == ["ADDED", "MODIFIED", "DELETED"]:
                    w.stop()
        except Exception as e:  # reported below
            errors.append(e)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="watched"), data={"k": "1"})
    core.create_namespaced_config_map(ns, body)
    core.patch_namespaced_config_map("watched", ns, {"data": {"k": "2"}})
    core.delete_namespaced_config_map("watched", ns)
    thread.join(timeout=30)
    check(not errors, f"the watch stream fails: {errors}")
    check(not thread.is_alive(), f"the watch saw ADDED, MODIFIED, DELETED within 30 s; saw {seen}")
    check(seen == [("ADDED", "1"), ("MODIFIED", "2"), ("DELETED", "2")], f"watch events in order, got {seen}")
    step("watch.Watch().stream saw ADDED, MODIFIED, DELETED")


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    kubeconfig = sys.argv[1]
    crds_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crds")
    config.load_kube_config(config_file=kubeconfig)
    api = client.ApiClient()
    core = client.CoreV1Api(api)
    version = client.VersionApi(api).get_code()
    step(f"VersionApi {version.git_version} over {api.configuration.host}")
    suffix = uuid.uuid4().hex[:6]
    ns = f"py-{suffix}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    step(f"namespace {ns} created")
    configmaps(core, ns)
    apply_crds(client.ApiextensionsV1Api(api), crds_dir)
    dc_name = f"py-dc-{suffix}"
    datacenters(client.CustomObjectsApi(api), dc_name)
    dynamic_client(api, ns, dc_name)
    watch_stream(core, ns)
    client.CustomObjectsApi(api).delete_cluster_custom_object(GROUP, VERSION, "datacenters", dc_name)
    core.delete_namespace(ns)
    step("cleanup")
    print("python kubernetes client check passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ApiException as e:
        print(f"FAIL: API error {e.status} {e.reason}: {e.body}", file=sys.stderr)
        sys.exit(1)
    except Exception as e:
        import traceback
        traceback.print_exc()
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
