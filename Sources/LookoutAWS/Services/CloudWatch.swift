import Foundation

/// Amazon CloudWatch metrics, over the Query protocol (botocore's model lists `query` among the
/// protocols CloudWatch speaks, next to smithy-rpc-v2-cbor and JSON 1.0). Read-only.
public struct CloudWatch: Sendable {
    let client: AWSClient
    static let service = AWSService.cloudWatch

    public struct Dimension: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// A `DimensionFilter`: a name, and optionally the value it must have.
    public struct DimensionFilter: Sendable, Hashable {
        public var name: String
        public var value: String?

        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public struct Metric: Sendable, Hashable {
        public var namespace: String
        public var metricName: String
        public var dimensions: [Dimension]

        public init(namespace: String, metricName: String, dimensions: [Dimension] = []) {
            self.namespace = namespace
            self.metricName = metricName
            self.dimensions = dimensions
        }
    }

    public struct MetricsPage: Sendable {
        public var metrics: [Metric]
        public var nextToken: String?
    }

    // MARK: ListMetrics

    public func listMetrics(
        namespace: String? = nil, metricName: String? = nil, dimensions: [DimensionFilter] = [],
        recentlyActive: String? = nil, nextToken: String? = nil
    ) async throws(AWSError) -> MetricsPage {
        var parameters: [(String, String)] = []
        if let namespace { parameters.append(("Namespace", namespace)) }
        if let metricName { parameters.append(("MetricName", metricName)) }
        for (index, filter) in dimensions.enumerated() {
            parameters.append(("Dimensions.member.\(index + 1).Name", filter.name))
            if let value = filter.value { parameters.append(("Dimensions.member.\(index + 1).Value", value)) }
        }
        if let recentlyActive { parameters.append(("RecentlyActive", recentlyActive)) }
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        let result = try await client.query(Self.service, "ListMetrics", parameters)
        return try client.shape(Self.service, "ListMetrics") { () throws(ShapeError) in
            var metrics: [Metric] = []
            for node in result.members("Metrics") {
                metrics.append(try Self.metric(node))
            }
            let next = result.child("NextToken")?.text
            return MetricsPage(metrics: metrics, nextToken: next?.isEmpty == false ? next : nil)
        }
    }

    /// Every metric that matches, all pages (AWS and moto answer 500 a page).
    public func listAllMetrics(
        namespace: String? = nil, metricName: String? = nil, dimensions: [DimensionFilter] = [],
        recentlyActive: String? = nil
    ) async throws(AWSError) -> [Metric] {
        try await client.allPages(Self.service, "ListMetrics") { token throws(AWSError) in
            let page = try await listMetrics(
                namespace: namespace, metricName: metricName, dimensions: dimensions, recentlyActive: recentlyActive,
                nextToken: token)
            return (page.metrics, page.nextToken)
        }
    }

    // MARK: GetMetricStatistics

    public struct Datapoint: Sendable, Equatable {
        public var timestamp: Date
        public var sampleCount: Double?
        public var average: Double?
        public var sum: Double?
        public var minimum: Double?
        public var maximum: Double?
        public var unit: String?
    }

    public struct Statistics: Sendable {
        public var label: String?
        /// In the order AWS answers (not sorted by time: AWS does not promise an order).
        public var datapoints: [Datapoint]
    }

    /// `statistics` from `SampleCount`, `Average`, `Sum`, `Minimum`, `Maximum`.
    public func getMetricStatistics(
        namespace: String, metricName: String, dimensions: [Dimension] = [], startTime: Date, endTime: Date,
        period: Int, statistics: [String], unit: String? = nil
    ) async throws(AWSError) -> Statistics {
        var parameters: [(String, String)] = [
            ("Namespace", namespace), ("MetricName", metricName), ("StartTime", ISO8601.format(startTime)),
            ("EndTime", ISO8601.format(endTime)), ("Period", String(period)),
        ]
        parameters += Self.dimensionParameters(dimensions, prefix: "Dimensions")
        for (index, statistic) in statistics.enumerated() {
            parameters.append(("Statistics.member.\(index + 1)", statistic))
        }
        if let unit { parameters.append(("Unit", unit)) }
        let result = try await client.query(Self.service, "GetMetricStatistics", parameters)
        return try client.shape(Self.service, "GetMetricStatistics") { () throws(ShapeError) in
            var datapoints: [Datapoint] = []
            for node in result.members("Datapoints") {
                guard let timestamp = try node.optionalDate("Timestamp") else {
                    throw ShapeError(description: "<Datapoint> has no <Timestamp>")
                }
                datapoints.append(
                    Datapoint(
                        timestamp: timestamp, sampleCount: try node.optionalDouble("SampleCount"),
                        average: try node.optionalDouble("Average"), sum: try node.optionalDouble("Sum"),
                        minimum: try node.optionalDouble("Minimum"), maximum: try node.optionalDouble("Maximum"),
                        unit: node.child("Unit")?.text))
            }
            return Statistics(label: result.child("Label")?.text, datapoints: datapoints)
        }
    }

    // MARK: GetMetricData

    /// One `MetricDataQuery`: a metric and statistic (`MetricStat`) or a math `expression`.
    public struct MetricDataQuery: Sendable {
        public var id: String
        public var metric: Metric?
        public var period: Int?
        public var stat: String?
        public var unit: String?
        public var expression: String?
        public var label: String?
        public var returnData: Bool?

        public static func metric(
            id: String, _ metric: Metric, period: Int, stat: String, unit: String? = nil, label: String? = nil
        ) -> MetricDataQuery {
            MetricDataQuery(
                id: id, metric: metric, period: period, stat: stat, unit: unit, expression: nil, label: label,
                returnData: nil)
        }

        public static func expression(id: String, _ expression: String, label: String? = nil, period: Int? = nil)
            -> MetricDataQuery
        {
            MetricDataQuery(
                id: id, metric: nil, period: period, stat: nil, unit: nil, expression: expression, label: label,
                returnData: nil)
        }
    }

    public struct MetricDataResult: Sendable, Equatable {
        public var id: String
        public var label: String?
        public var timestamps: [Date]
        public var values: [Double]
        /// `Complete`, `InternalError`, `PartialData`, `Forbidden`.
        public var statusCode: String?
    }

    public struct MetricDataPage: Sendable {
        public var results: [MetricDataResult]
        public var nextToken: String?
    }

    public func getMetricData(
        queries: [MetricDataQuery], startTime: Date, endTime: Date, scanBy: String? = nil, maxDatapoints: Int? = nil,
        nextToken: String? = nil
    ) async throws(AWSError) -> MetricDataPage {
        var parameters: [(String, String)] = [
            ("StartTime", ISO8601.format(startTime)), ("EndTime", ISO8601.format(endTime)),
        ]
        for (index, query) in queries.enumerated() {
            let prefix = "MetricDataQueries.member.\(index + 1)"
            parameters.append(("\(prefix).Id", query.id))
            if let metric = query.metric {
                parameters.append(("\(prefix).MetricStat.Metric.Namespace", metric.namespace))
                parameters.append(("\(prefix).MetricStat.Metric.MetricName", metric.metricName))
                parameters += Self.dimensionParameters(metric.dimensions, prefix: "\(prefix).MetricStat.Metric.Dimensions")
                if let period = query.period { parameters.append(("\(prefix).MetricStat.Period", String(period))) }
                if let stat = query.stat { parameters.append(("\(prefix).MetricStat.Stat", stat)) }
                if let unit = query.unit { parameters.append(("\(prefix).MetricStat.Unit", unit)) }
            } else if let period = query.period {
                parameters.append(("\(prefix).Period", String(period)))
            }
            if let expression = query.expression { parameters.append(("\(prefix).Expression", expression)) }
            if let label = query.label { parameters.append(("\(prefix).Label", label)) }
            if let returnData = query.returnData { parameters.append(("\(prefix).ReturnData", String(returnData))) }
        }
        if let scanBy { parameters.append(("ScanBy", scanBy)) }
        if let maxDatapoints { parameters.append(("MaxDatapoints", String(maxDatapoints))) }
        if let nextToken { parameters.append(("NextToken", nextToken)) }
        let result = try await client.query(Self.service, "GetMetricData", parameters)
        return try client.shape(Self.service, "GetMetricData") { () throws(ShapeError) in
            var results: [MetricDataResult] = []
            for node in result.members("MetricDataResults") {
                var timestamps: [Date] = []
                for stamp in node.members("Timestamps") {
                    guard let date = ISO8601.parse(stamp.text) else {
                        throw ShapeError(description: "<Timestamps> holds something that is not a time")
                    }
                    timestamps.append(date)
                }
                var values: [Double] = []
                for value in node.members("Values") {
                    guard let number = Double(value.text.trimmingSpaces) else {
                        throw ShapeError(description: "<Values> holds something that is not a number")
                    }
                    values.append(number)
                }
                guard timestamps.count == values.count else {
                    throw ShapeError(description: "\(timestamps.count) timestamps for \(values.count) values")
                }
                results.append(
                    MetricDataResult(
                        id: try node.string("Id"), label: node.child("Label")?.text, timestamps: timestamps,
                        values: values, statusCode: node.child("StatusCode")?.text))
            }
            let next = result.child("NextToken")?.text
            return MetricDataPage(results: results, nextToken: next?.isEmpty == false ? next : nil)
        }
    }

    /// Every page of GetMetricData, each query's timestamps and values joined in page order.
    public func getAllMetricData(
        queries: [MetricDataQuery], startTime: Date, endTime: Date, scanBy: String? = nil, maxDatapoints: Int? = nil
    ) async throws(AWSError) -> [MetricDataResult] {
        let pieces = try await client.allPages(Self.service, "GetMetricData") { token throws(AWSError) in
            let page = try await getMetricData(
                queries: queries, startTime: startTime, endTime: endTime, scanBy: scanBy, maxDatapoints: maxDatapoints,
                nextToken: token)
            return (page.results, page.nextToken)
        }
        return Self.merge(pieces)
    }

    /// Joins the pieces of one query id that several pages answered, keeping the first-seen order.
    static func merge(_ pieces: [MetricDataResult]) -> [MetricDataResult] {
        var merged: [MetricDataResult] = []
        var index: [String: Int] = [:]
        for piece in pieces {
            if let at = index[piece.id] {
                merged[at].timestamps += piece.timestamps
                merged[at].values += piece.values
                merged[at].statusCode = piece.statusCode ?? merged[at].statusCode
            } else {
                index[piece.id] = merged.count
                merged.append(piece)
            }
        }
        return merged
    }

    // MARK: Shapes

    static func dimensionParameters(_ dimensions: [Dimension], prefix: String) -> [(String, String)] {
        dimensions.enumerated().flatMap { index, dimension in
            [("\(prefix).member.\(index + 1).Name", dimension.name), ("\(prefix).member.\(index + 1).Value", dimension.value)]
        }
    }

    static func metric(_ node: XMLNode) throws(ShapeError) -> Metric {
        var dimensions: [Dimension] = []
        for dimension in node.members("Dimensions") {
            dimensions.append(Dimension(name: try dimension.string("Name"), value: try dimension.string("Value")))
        }
        return Metric(
            namespace: try node.string("Namespace"), metricName: try node.string("MetricName"), dimensions: dimensions)
    }
}

extension XMLNode {
    func optionalDouble(_ name: String) throws(ShapeError) -> Double? {
        guard let text = child(name)?.text else { return nil }
        guard let value = Double(text.trimmingSpaces) else { throw ShapeError(description: "<\(name)> is not a number") }
        return value
    }
}
