"""Generate SigV4 signing cases and sign each with botocore, for a cross-check.

Usage: sigv4_botocore_cases.py COUNT SEED
Prints a JSON list; each case has the request (method, url, headers, body) and the
credentials, region, service and time, plus botocore's canonical request, string to sign,
final headers and Authorization header. Only made-up example keys are used.
"""
import base64
import datetime
import json
import random
import sys
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)

PATH_PIECES = ["a", "b", "example", "with space", "ሴ", "é", "%2F", "%41", "+", "!", "*", "'", "(", ")",
               ":", "@", ",", ";", "=", "$", "&", ".", "..", "", "~user", "dash-_.", "日本", "%", "[x]"]
QUERY_PIECES = ["a", "B", "key", "x-amz-meta", "ሴ", "space here", "+", "/", "=", "&", "%", "", "~._-",
                "Param-3", "Param", "1", "zz", "émile"]
HEADER_NAMES = ["My-Header", "X-Custom", "content-type", "X-Amz-Target", "Accept", "X-Amz-Meta-Foo",
                "user-agent", "Content-Length", "X-Amzn-Trace-Id", "Expect", "connection", "ZZ-Last",
                "a", "X-AMZ-CONTENT-SHA256", "Host", "Date"]
VALUE_PIECES = ["value", "  spaced  out  ", "a,b", "application/x-amz-json-1.1", "\tTab", "UPPER", "1",
                "text/plain; charset=utf-8", "x  y   z", "", "100-continue"]
METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "get"]
HOSTS = ["https://example.amazonaws.com", "https://ecs.eu-west-1.amazonaws.com", "http://127.0.0.1:46123",
         "https://EXAMPLE.amazonaws.com:443", "http://localhost:80", "https://[::1]:8443", "http://Sub.Host:5000"]
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1"]
SERVICES = ["ecs", "ssm", "sts", "acm-pca", "route53", "monitoring", "autoscaling", "service"]


def path():
    parts = [rng.choice(PATH_PIECES) for _ in range(rng.randint(0, 5))]
    text = "/" + "/".join(parts)
    if rng.random() < 0.3:
        text += "/"
    if rng.random() < 0.1:
        text = ""
    return text


def query():
    if rng.random() < 0.35:
        return ""
    pairs = []
    for _ in range(rng.randint(1, 5)):
        key = quote(rng.choice(QUERY_PIECES), safe="-_.~")
        if rng.random() < 0.15:
            pairs.append(key)
            continue
        value = quote(rng.choice(QUERY_PIECES), safe="-_.~")
        pairs.append(f"{key}={value}")
    if rng.random() < 0.2 and pairs:
        pairs.append(pairs[0])
    return "?" + "&".join(pairs)


def headers():
    result = []
    for _ in range(rng.randint(0, 6)):
        name = rng.choice(HEADER_NAMES)
        if name.lower() == "x-amz-content-sha256":
            value = rng.choice(["UNSIGNED-PAYLOAD", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"])
        elif name.lower() == "host":
            value = rng.choice(["custom.example.com", "Mixed.Case.Host:8080"])
        elif name.lower() == "date":
            value = "Mon, 01 Jan 2001 00:00:00 GMT"
        else:
            value = "".join(rng.choice(VALUE_PIECES) for _ in range(rng.randint(1, 3)))
        result.append([name, value])
    return result


def body():
    choice = rng.random()
    if choice < 0.4:
        return b""
    if choice < 0.7:
        return json.dumps({"cluster": "kafka", "n": rng.randint(0, 10**9)}).encode()
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))


cases = []
for index in range(count):
    timestamp = rng.randint(0, 4_000_000_000)
    when = datetime.datetime.fromtimestamp(timestamp, tz=datetime.timezone.utc)
    token = rng.choice([None, None, "FQoGZXIvYXdzE" + "".join(rng.choice("abcXYZ0189+/=") for _ in range(40))])
    case = {
        "method": rng.choice(METHODS),
        "url": rng.choice(HOSTS) + path() + query(),
        "headers": headers(),
        "body": base64.b64encode(body()).decode(),
        "access_key": "AKIDEXAMPLE" + str(index),
        "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" + str(rng.randint(0, 99)),
        "token": token,
        "region": rng.choice(REGIONS),
        "service": rng.choice(SERVICES),
        "timestamp": timestamp,
    }
    request = AWSRequest(method=case["method"], url=case["url"], data=base64.b64decode(case["body"]))
    for name, value in case["headers"]:
        request.headers[name] = value
    auth = botocore.auth.SigV4Auth(Credentials(case["access_key"], case["secret_key"], token),
                                   case["service"], case["region"])
    request.context["timestamp"] = when.strftime("%Y%m%dT%H%M%SZ")
    auth._modify_request_before_signing(request)
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    signature = auth.signature(string_to_sign, request)
    auth._inject_signature_to_request(request, signature)
    case["canonical_request"] = canonical
    case["string_to_sign"] = string_to_sign
    case["authorization"] = request.headers["Authorization"]
    case["signed_headers"] = [[n, v] for n, v in request.headers.items()]
    cases.append(case)
json.dump(cases, sys.stdout)
