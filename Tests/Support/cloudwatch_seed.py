"""Put CloudWatch metrics into a test's own moto_server with boto3, and read them back with boto3.

Usage: cloudwatch_seed.py ENDPOINT REGION NAMESPACE
Puts 1,100 metrics `Brokers` (dimension Broker=b0000..b1099, so ListMetrics answers 3 pages of
at most 500) and a series `Lag` (dimension Group=orders, 10 points a minute apart, some minutes
with two samples). Prints JSON: what boto3 reads back through ListMetrics (every page, and how
many pages), GetMetricStatistics and GetMetricData over the same window, for the Swift client to
compare with. Times are RFC 3339 UTC, seconds.
"""
import datetime
import json
import sys

import boto3

endpoint, region, namespace = sys.argv[1:4]
session = boto3.session.Session(aws_access_key_id="AKIDSEED", aws_secret_access_key="seed-secret",
                                region_name=region)
cloudwatch = session.client("cloudwatch", endpoint_url=endpoint)

now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
base = now - datetime.timedelta(minutes=30)
brokers = [{"MetricName": "Brokers", "Dimensions": [{"Name": "Broker", "Value": f"b{i:04d}"}], "Value": float(i),
            "Unit": "Count", "Timestamp": base} for i in range(1100)]
for start in range(0, len(brokers), 500):
    cloudwatch.put_metric_data(Namespace=namespace, MetricData=brokers[start:start + 500])

lag = []
for minute in range(10):
    stamp = base + datetime.timedelta(minutes=minute, seconds=10)
    lag.append({"MetricName": "Lag", "Dimensions": [{"Name": "Group", "Value": "orders"}],
                "Value": float(100 * minute + 5), "Unit": "Count", "Timestamp": stamp})
    if minute % 3 == 0:
        lag.append({"MetricName": "Lag", "Dimensions": [{"Name": "Group", "Value": "orders"}],
                    "Value": float(7 * minute + 1), "Unit": "Count", "Timestamp": stamp + datetime.timedelta(seconds=20)})
cloudwatch.put_metric_data(Namespace=namespace, MetricData=lag)


def rfc3339(value):
    return value.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


pages = 0
metrics = []
for page in cloudwatch.get_paginator("list_metrics").paginate(Namespace=namespace):
    pages += 1
    for metric in page["Metrics"]:
        metrics.append({"namespace": metric["Namespace"], "name": metric["MetricName"],
                        "dimensions": [[d["Name"], d["Value"]] for d in metric.get("Dimensions", [])]})

start, end = base - datetime.timedelta(minutes=1), base + datetime.timedelta(minutes=15)
dimensions = [{"Name": "Group", "Value": "orders"}]
statistics = cloudwatch.get_metric_statistics(
    Namespace=namespace, MetricName="Lag", Dimensions=dimensions, StartTime=start, EndTime=end, Period=60,
    Statistics=["SampleCount", "Average", "Sum", "Minimum", "Maximum"])
datapoints = sorted(
    ({"timestamp": rfc3339(p["Timestamp"]), "sample_count": p.get("SampleCount"), "average": p.get("Average"),
      "sum": p.get("Sum"), "minimum": p.get("Minimum"), "maximum": p.get("Maximum"), "unit": p.get("Unit")}
     for p in statistics["Datapoints"]), key=lambda p: p["timestamp"])

queries = [
    {"Id": "lagsum", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Lag", "Dimensions": dimensions},
                                    "Period": 60, "Stat": "Sum"}},
    {"Id": "lagmax", "MetricStat": {"Metric": {"Namespace": namespace, "MetricName": "Lag", "Dimensions": dimensions},
                                    "Period": 120, "Stat": "Maximum"}, "Label": "lag max"},
]
data_pages = 0
results = {}
for page in cloudwatch.get_paginator("get_metric_data").paginate(
        MetricDataQueries=queries, StartTime=start, EndTime=end, ScanBy="TimestampAscending"):
    data_pages += 1
    for result in page["MetricDataResults"]:
        entry = results.setdefault(result["Id"], {"id": result["Id"], "label": result.get("Label"),
                                                  "timestamps": [], "values": [],
                                                  "status_code": result.get("StatusCode")})
        entry["timestamps"] += [rfc3339(t) for t in result["Timestamps"]]
        entry["values"] += result["Values"]

json.dump({"namespace": namespace, "start": rfc3339(start), "end": rfc3339(end), "list_pages": pages,
           "metrics": metrics, "statistics_label": statistics.get("Label"), "datapoints": datapoints,
           "data_pages": data_pages, "metric_data": list(results.values())}, sys.stdout)
