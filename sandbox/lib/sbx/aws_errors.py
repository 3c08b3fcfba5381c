"""AWS error answers in each protocol's own form (JSON, query XML, REST-XML, EC2), for the fault
proxy: what botocore and lookout must read as throttling, a server error, expired or refused
credentials, or garbage."""
from __future__ import annotations

import json
import re
import uuid


def header(head: bytes, name: str) -> str | None:
    m = re.search(rb"(?im)^" + name.encode() + rb":\s*(.*?)\r$", head)
    return m.group(1).decode(errors="replace") if m else None


def _http(code: int, reason: str, ctype: str, body: bytes) -> bytes:
    return (f"HTTP/1.1 {code} {reason}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            f"x-amzn-RequestId: {uuid.uuid4()}\r\n\r\n").encode() + body


def protocol(head: bytes, body: bytes, service: str | None) -> str:
    if header(head, "x-amz-target"):
        return "json"
    path = head.split(b" ", 2)[1].decode(errors="replace")
    if service == "route53" or path.startswith("/2013-04-01/"):
        return "rest-xml"
    if service == "ec2":
        return "ec2"
    return "query"


# One AWS error per protocol: (HTTP status, reason, JSON __type / XML Type + Code, message, EC2 code + message).
_THROTTLE = (400, "Bad Request", "ThrottlingException", "Sender", "Throttling", "Rate exceeded",
             503, "Service Unavailable", "RequestLimitExceeded", "Request limit exceeded.")
_INTERNAL = (500, "Internal Server Error", "InternalFailure", "Receiver", "InternalFailure", "An internal error occurred.",
             500, "Internal Server Error", "InternalError", "An internal error has occurred.")


def _error_response(kind: tuple, head: bytes, body: bytes, service: str | None) -> bytes:
    status, reason, json_type, xml_type, xml_code, message, ec2_status, ec2_reason, ec2_code, ec2_message = kind
    rid = str(uuid.uuid4())
    proto = protocol(head, body, service)
    if proto == "json":
        ctype = header(head, "content-type") or "application/x-amz-json-1.1"
        return _http(status, reason, ctype, json.dumps({"__type": json_type, "message": message}, separators=(",", ":")).encode())
    if proto == "ec2":
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{ec2_code}'
               f'</Code><Message>{ec2_message}</Message></Error></Errors>'
               f'<RequestID>{rid}</RequestID></Response>')
        return _http(ec2_status, ec2_reason, "text/xml", xml.encode())
    namespace = ' xmlns="https://route53.amazonaws.com/doc/2013-04-01/"' if proto == "rest-xml" else ""
    xml = (f'<?xml version="1.0"?>\n<ErrorResponse{namespace}><Error><Type>{xml_type}</Type><Code>{xml_code}</Code>'
           f'<Message>{message}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>')
    return _http(status, reason, "text/xml", xml.encode())


def throttle_response(head: bytes, body: bytes, service: str | None) -> bytes:
    """A throttling error in the service's own protocol (botocore retries it)."""
    return _error_response(_THROTTLE, head, body, service)


# Credentials AWS no longer takes, or that may not do this: no retry in botocore, both fail the call.
_EXPIRED = (400, "Bad Request", "ExpiredTokenException", "Sender", "ExpiredToken", "The security token included in the request is expired",
            400, "Bad Request", "RequestExpired", "Request has expired.")
_DENIED = (403, "Forbidden", "AccessDeniedException", "Sender", "AccessDenied",
           "User: arn:aws:sts::000000000000:assumed-role/sandbox/lookout is not authorized to perform this action",
           403, "Forbidden", "UnauthorizedOperation", "You are not authorized to perform this operation.")


def expired_token_response(head: bytes, body: bytes, service: str | None) -> bytes:
    """The answer to a call made with expired credentials (ExpiredToken), in the service's protocol."""
    return _error_response(_EXPIRED, head, body, service)


def access_denied_response(head: bytes, body: bytes, service: str | None) -> bytes:
    """The answer to a call the credentials may not make (AccessDenied), in the service's protocol."""
    return _error_response(_DENIED, head, body, service)


def internal_error_response(head: bytes, body: bytes, service: str | None) -> bytes:
    """HTTP 500 with the service's own protocol's server-error body (botocore retries a 500)."""
    return _error_response(_INTERNAL, head, body, service)


def garbage_response(head: bytes) -> bytes:
    """A 200 whose body is not what the protocol promises: truncated JSON/XML and binary noise."""
    if header(head, "x-amz-target"):
        return _http(200, "OK", "application/x-amz-json-1.1", b'{"services": [{"serviceName": \x00\xff\xfe')
    return _http(200, "OK", "text/xml", b'<?xml version="1.0"?><Respo\x00\xff\xfe<<<')
