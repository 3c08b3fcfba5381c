"""Fetch the official AWS SigV4 test suite from botocore's source distribution.

Usage: fetch_sigv4_suite.py CACHE_DIR
Prints the path of the unpacked aws4_testsuite folder. The download happens once per cache.
"""
import glob
import os
import subprocess
import sys
import tarfile

import botocore

cache = os.path.abspath(sys.argv[1])
target = os.path.join(cache, f"botocore-{botocore.__version__}", "aws4_testsuite")
if not os.path.isdir(target):
    os.makedirs(cache, exist_ok=True)
    sdists = glob.glob(os.path.join(cache, f"botocore-{botocore.__version__}.tar.gz"))
    if not sdists:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"botocore=={botocore.__version__}",
             "--no-binary", ":all:", "--no-deps", "--quiet", "-d", cache],
            check=True, stdout=sys.stderr,
        )
        sdists = glob.glob(os.path.join(cache, f"botocore-{botocore.__version__}.tar.gz"))
    prefix = f"botocore-{botocore.__version__}/tests/unit/auth/aws4_testsuite/"
    partial = target + ".partial"
    with tarfile.open(sdists[0]) as archive:
        for member in archive.getmembers():
            if member.name.startswith(prefix) and member.isfile():
                relative = member.name[len(prefix):]
                destination = os.path.join(partial, relative)
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                with archive.extractfile(member) as source, open(destination, "wb") as out:
                    out.write(source.read())
    os.rename(partial, target)
print(target)
