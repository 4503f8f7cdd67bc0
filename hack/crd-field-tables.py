#!/usr/bin/env python3
"""Prints the field tables of docs/resources/<kind>.md from a CRD: hack/crd-field-tables.py crds/federation.concord.dev_datacenters.yaml.

Paste the output under "## Fields" of the kind's page; ResourceDocsTests fails while a schema field is missing there."""
import json
import sys

import yaml


def walk(schema, path, out, required=()):
    t = schema.get('type','')
    if 'x-kubernetes-int-or-string' in schema: t='int-or-string'
    props = schema.get('properties')
    items = schema.get('items')
    desc = (schema.get('description') or '').replace('\n',' ').replace('|','\\|')
    d = schema.get('default')
    extra=[]
    if 'enum' in schema: extra.append('one of ' + ', '.join('`%s`'%e for e in schema['enum']))
    if 'minimum' in schema: extra.append('min %s'%schema['minimum'])
    if 'maximum' in schema: extra.append('max %s'%schema['maximum'])
    if 'maxItems' in schema: extra.append('at most %s items'%schema['maxItems'])
    if path:
        tt = t
        if t=='array' and items: tt = '[]'+items.get('type','')
        out.append((path, tt, json.dumps(d) if d is not None else '', ('required. ' if path.split('.')[-1] in required else '') + desc + ((' ('+'; '.join(extra)+')') if extra else '')))
    if props:
        req = schema.get('required',[])
        for k,v in props.items():
            walk(v, path+'.'+k if path else k, out, req)
    elif items and items.get('properties'):
        req = items.get('required',[])
        for k,v in items['properties'].items():
            walk(v, path+'[].'+k, out, req)
for f in sys.argv[1:]:
    crd = yaml.safe_load(open(f))
    v = crd['spec']['versions'][0]
    s = v['schema']['openAPIV3Schema']
    print('##', crd['spec']['names']['kind'])
    for top in ['spec','status']:
        out=[]
        if top not in s['properties']: continue
        walk(s['properties'][top], top, out, s.get('required',[]))
        print('\n| field | type | default | meaning |\n|---|---|---|---|')
        for p,t,d,desc in out:
            if p.startswith('status.conditions[].') : continue
            print('| `%s` | %s | %s | %s |'%(p,t,('`%s`'%d) if d else '',desc))
    print()
