"""Make Auto Scaling groups in one region of a test's own moto_server and page through them
with boto3's paginator.

Usage: asg_pages.py ENDPOINT REGION COUNT PAGE_SIZE
Creates COUNT groups `pages-asg-NN` (desired 0, so no instances), then prints JSON: the group
names of each page boto3's paginator got with PageSize=PAGE_SIZE (MaxRecords on the wire).
"""
import json
import sys

import boto3

endpoint, region, count, page_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
session = boto3.session.Session(aws_access_key_id="AKIDSEED", aws_secret_access_key="seed-secret",
                                region_name=region)
ec2 = session.client("ec2", endpoint_url=endpoint)
asg = session.client("autoscaling", endpoint_url=endpoint)
ec2.create_launch_template(LaunchTemplateName="pages-lt", LaunchTemplateData={"ImageId": "ami-12345678",
                                                                              "InstanceType": "t3.micro"})
for i in range(count):
    asg.create_auto_scaling_group(AutoScalingGroupName=f"pages-asg-{i:02d}",
                                  LaunchTemplate={"LaunchTemplateName": "pages-lt"}, MinSize=0, MaxSize=1,
                                  DesiredCapacity=0, AvailabilityZones=[region + "a"])
pages = [[group["AutoScalingGroupName"] for group in page["AutoScalingGroups"]]
         for page in asg.get_paginator("describe_auto_scaling_groups").paginate(
             PaginationConfig={"PageSize": page_size})]
json.dump({"pages": pages}, sys.stdout)
