"""Make an IAM user with an allow-all policy in a test's own moto_server, then switch moto's
signature and IAM checking on (POST /moto-api/reset-auth, body 0).

Usage: moto_auth_setup.py ENDPOINT
Prints JSON {access_key, secret_key, role_arn} on stdout for the calling test (a pipe, not a
terminal); the keys are made-up ones of this throwaway server.
"""
import json
import sys
import urllib.request

import boto3

endpoint = sys.argv[1]
session = boto3.session.Session(aws_access_key_id="AKIDSETUP", aws_secret_access_key="setup", region_name="us-east-1")
iam = session.client("iam", endpoint_url=endpoint)
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
iam.create_user(UserName="lookout")
iam.put_user_policy(UserName="lookout", PolicyName="all", PolicyDocument=policy)
key = iam.create_access_key(UserName="lookout")["AccessKey"]
trust = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]})
role = iam.create_role(RoleName="lookout-role", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
iam.put_role_policy(RoleName="lookout-role", PolicyName="all", PolicyDocument=policy)
request = urllib.request.Request(endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                 headers={"Content-Type": "text/plain"})
urllib.request.urlopen(request).read()
json.dump({"access_key": key["AccessKeyId"], "secret_key": key["SecretAccessKey"], "role_arn": role}, sys.stdout)
