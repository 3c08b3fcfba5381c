"""Print botocore's service model (data/<service>/<version>/service-2.json[.gz]) as plain JSON.

Usage: botocore_model.py SERVICE VERSION
The installed botocore is the one the tests compare against; its models are read, not copied.
"""
import gzip
import json
import os
import sys

import botocore

service, version = sys.argv[1:3]
folder = os.path.join(os.path.dirname(botocore.__file__), "data", service, version)
for name, opener in (("service-2.json", open), ("service-2.json.gz", gzip.open)):
    path = os.path.join(folder, name)
    if os.path.exists(path):
        with opener(path, "rt", encoding="utf-8") as source:
            json.dump(json.load(source), sys.stdout)
        break
else:
    sys.exit(f"no model at {folder}")
