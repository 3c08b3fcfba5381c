"""The fault proxy as an HTTP client other than botocore sees it (curl, like libcurl)."""
from __future__ import annotations

import json
import subprocess
import time

AUTH = ("AWS4-HMAC-SHA256 Credential=AKIASANDBOXBASE00001/20260101/eu-west-1/ssm/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=0")


def test_expect_100_continue_is_answered_at_once(sb):
    port = sb["environments"]["dev"]["ports"]["aws_proxy"]
    # a valid 2 KB request, in moto's default account (the base keys are no environment's)
    body = json.dumps({"Name": "/sandbox-pytest/expect", "Type": "String", "Overwrite": True, "Value": "x" * 2000})
    t0 = time.time()
    p = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect: 100-continue",
                        "-H", "X-Amz-Target: AmazonSSM.PutParameter",
                        "-H", "Content-Type: application/x-amz-json-1.1", "-H", f"Authorization: {AUTH}",
                        "-H", "X-Amz-Date: 20260101T000000Z", "--data-binary", body,
                        f"http://127.0.0.1:{port}/"], capture_output=True, text=True, timeout=20)
    assert p.stdout == "200", p.stderr
    assert time.time() - t0 < 0.8  # curl would wait 1 s for a 100 Continue that never came
