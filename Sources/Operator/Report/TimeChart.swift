/// A line chart over time, drawn as inline SVG by our own code: no library, no script, no font
/// or image to fetch, so the report opens the same offline, in a mail client or in ten years.
///
/// The x axis is calendar time (Unix seconds, labelled in UTC); each series is a polyline broken
/// where a value is missing or where the data has a gap longer than ``maxGap``; the rollout's
/// transitions are vertical markers numbered like the report's transition table, coloured by
/// ``EventCategory``, each with a `<title>` tooltip. A series with more points than the plot has
/// pixels is thinned per pixel column to its first, lowest, highest and last point, which
/// draws the same picture (spikes included) with a bounded number of points.
///
/// ```swift
/// let chart = TimeChart(id: "percent", title: "Canary percent", yLabel: "% to relay", xRange: start...end,
///                       y: .fixed(0, 100), format: { ReportFormat.fixed($0, 0) + "%" })
/// chart.series.append(.init(name: "stored percent", color: "#6a3d9a", points: steps, stepped: true))
/// markup.append(chart.svg())
/// ```
struct TimeChart {
    /// One line.
    struct Series {
        var name: String
        var color: String
        /// `(Unix seconds, value)`; `nil` breaks the line.
        var points: [(x: Double, y: Double?)]
        var dashed = false
        /// Drawn as a staircase: each value holds until the next point.
        var stepped = false
    }

    /// A transition.
    struct Marker {
        var x: Double
        /// The transition's number in the report.
        var number: Int
        /// The store's sequence number.
        var sequence: Int64
        var category: EventCategory
        var title: String
    }

    /// A shaded time span (the rollback switch engaged).
    struct Band {
        var from: Double
        var to: Double
        var title: String
    }

    /// A horizontal line at a fixed value (the relay's success floor).
    struct Reference {
        var y: Double
        var label: String
    }

    /// How the y axis is ranged.
    enum YRange {
        /// Always these bounds.
        case fixed(Double, Double)
        /// From the data, starting at zero.
        case fromZero
        /// From the data, capped above (rates cap at 1).
        case fromData(ceiling: Double?)
    }

    var id: String
    var title: String
    var yLabel: String
    var xRange: ClosedRange<Double>
    var y: YRange
    /// Formats a y tick value.
    var format: (Double) -> String
    var series: [Series] = []
    var markers: [Marker] = []
    var bands: [Band] = []
    var references: [Reference] = []
    /// Seconds without data after which a line is broken rather than drawn across.
    var maxGap: Double?
    /// Shown in the plot when no series has a value.
    var emptyMessage = "no data"

    // Geometry (SVG user units).
    static let width = 880.0
    static let height = 270.0
    private static let plotLeft = 72.0
    private static let plotRight = width - 24
    private static let plotTop = 50.0
    private static let plotBottom = height - 40

    /// The chart as an `<svg>` element in the SVG namespace.
    func svg() -> Markup {
        var m = Markup()
        let titleID = "chart-\(id)-title"
        m.element(
            "svg",
            [
                "xmlns": "http://www.w3.org/2000/svg", "class": "chart", "id": "chart-\(id)",
                "viewBox": "0 0 \(Int(Self.width)) \(Int(Self.height))", "width": "\(Int(Self.width))",
                "height": "\(Int(Self.height))", "role": "img", "aria-labelledby": titleID,
                "font-family": "system-ui, sans-serif", "font-size": "11",
            ]
        ) { m in
            m.element("title", ["id": titleID], text: title)
            drawPlot(&m)
        }
        return m
    }

    private func drawPlot(_ m: inout Markup) {
        let (yLow, yHigh, yStep) = yDomain()
        let xLow = xRange.lowerBound
        let xHigh = xRange.upperBound > xRange.lowerBound ? xRange.upperBound : xRange.lowerBound + 1
        func px(_ x: Double) -> Double {
            Self.plotLeft + (x - xLow) / (xHigh - xLow) * (Self.plotRight - Self.plotLeft)
        }
        func py(_ y: Double) -> Double {
            let clamped = min(max(y, yLow), yHigh)
            return Self.plotBottom - (clamped - yLow) / (yHigh - yLow) * (Self.plotBottom - Self.plotTop)
        }

        m.empty(
            "rect",
            [
                "x": n(Self.plotLeft), "y": n(Self.plotTop), "width": n(Self.plotRight - Self.plotLeft),
                "height": n(Self.plotBottom - Self.plotTop), "fill": "#ffffff", "stroke": "#c8ccd0",
            ])
        for band in bands {
            let from = px(max(band.from, xLow))
            let to = px(min(band.to, xHigh))
            m.element(
                "rect",
                [
                    "class": "band", "x": n(from), "y": n(Self.plotTop), "width": n(max(1, to - from)),
                    "height": n(Self.plotBottom - Self.plotTop), "fill": "#c62828", "fill-opacity": "0.10",
                ]
            ) { $0.element("title", text: band.title) }
        }

        // Grid and y ticks.
        for value in ChartScale.values(from: yLow, to: yHigh, step: yStep) {
            let y = py(value)
            m.empty(
                "line",
                ["x1": n(Self.plotLeft), "x2": n(Self.plotRight), "y1": n(y), "y2": n(y), "stroke": "#eceff1"])
            m.element(
                "text", ["x": n(Self.plotLeft - 6), "y": n(y + 4), "text-anchor": "end", "fill": "#444444"],
                text: format(value))
        }
        // Time ticks.
        for tick in ChartScale.timeTicks(from: xLow, to: xHigh) {
            let x = px(tick.value)
            m.empty(
                "line",
                [
                    "x1": n(x), "x2": n(x), "y1": n(Self.plotBottom), "y2": n(Self.plotBottom + 4),
                    "stroke": "#888888",
                ])
            m.element(
                "text", ["x": n(x), "y": n(Self.plotBottom + 16), "text-anchor": "middle", "fill": "#444444"],
                text: tick.label)
        }
        m.element(
            "text",
            ["x": n(Self.plotRight), "y": n(Self.plotBottom + 32), "text-anchor": "end", "fill": "#666666"],
            text: "time (UTC)")
        m.element(
            "text",
            [
                "x": "14", "y": n((Self.plotTop + Self.plotBottom) / 2), "text-anchor": "middle", "fill": "#444444",
                "transform": "rotate(-90 14 \(n((Self.plotTop + Self.plotBottom) / 2)))",
            ],
            text: yLabel)

        for reference in references where reference.y >= yLow && reference.y <= yHigh {
            let y = py(reference.y)
            m.empty(
                "line",
                [
                    "class": "reference", "x1": n(Self.plotLeft), "x2": n(Self.plotRight), "y1": n(y), "y2": n(y),
                    "stroke": "#8d6e63", "stroke-dasharray": "2 4",
                ])
            m.element(
                "text", ["x": n(Self.plotRight - 4), "y": n(y + 13), "text-anchor": "end", "fill": "#8d6e63"],
                text: reference.label)
        }

        var anyValue = false
        for line in series {
            for run in runs(of: line) {
                anyValue = true
                let points = thin(run)
                if points.count == 1 {
                    m.empty(
                        "circle",
                        ["cx": n(px(points[0].x)), "cy": n(py(points[0].y)), "r": "2.5", "fill": line.color])
                    continue
                }
                var coordinates: [String] = []
                coordinates.reserveCapacity(points.count * 2)
                for (index, point) in points.enumerated() {
                    if line.stepped, index > 0 {
                        coordinates.append("\(n(px(point.x))),\(n(py(points[index - 1].y)))")
                    }
                    coordinates.append("\(n(px(point.x))),\(n(py(point.y)))")
                }
                var attributes: KeyValuePairs<String, String> = [
                    "class": "series", "points": coordinates.joined(separator: " "), "fill": "none",
                    "stroke": line.color, "stroke-width": "2", "stroke-linejoin": "round",
                ]
                if line.dashed {
                    attributes = [
                        "class": "series", "points": coordinates.joined(separator: " "), "fill": "none",
                        "stroke": line.color, "stroke-width": "1.6", "stroke-linejoin": "round",
                        "stroke-dasharray": "6 4",
                    ]
                }
                m.element("polyline", attributes) { $0.element("title", text: line.name) }
            }
        }
        if !anyValue {
            m.element(
                "text",
                [
                    "x": n((Self.plotLeft + Self.plotRight) / 2), "y": n((Self.plotTop + Self.plotBottom) / 2),
                    "text-anchor": "middle", "fill": "#888888", "font-size": "13",
                ],
                text: emptyMessage)
        }

        drawMarkers(&m, px: px)
        drawLegend(&m)
    }

    private func drawMarkers(_ m: inout Markup, px: (Double) -> Double) {
        var lastLabelX = -Double.infinity
        for marker in markers {
            let x = px(marker.x)
            m.element(
                "g",
                [
                    "class": "event \(marker.category.rawValue)", "data-event": "\(marker.number)",
                    "data-sequence": "\(marker.sequence)",
                ]
            ) { m in
                m.element("title", text: marker.title)
                m.empty(
                    "line",
                    [
                        "x1": n(x), "x2": n(x), "y1": n(Self.plotTop - 10), "y2": n(Self.plotBottom),
                        "stroke": marker.category.color, "stroke-width": "1.2", "stroke-dasharray": "3 3",
                    ])
                m.empty(
                    "circle", ["cx": n(x), "cy": n(Self.plotTop - 10), "r": "3", "fill": marker.category.color])
                // Numbers closer than a label's width would overprint: the tooltip still names every event.
                if x - lastLabelX >= 14 {
                    m.element(
                        "text",
                        [
                            "x": n(x), "y": n(Self.plotTop - 16), "text-anchor": "middle",
                            "fill": marker.category.color, "font-size": "10",
                        ],
                        text: "\(marker.number)")
                    lastLabelX = x
                }
            }
        }
    }

    private func drawLegend(_ m: inout Markup) {
        var x = Self.plotLeft
        let y = 16.0
        for line in series {
            m.empty(
                "line",
                [
                    "x1": n(x), "x2": n(x + 22), "y1": n(y - 4), "y2": n(y - 4), "stroke": line.color,
                    "stroke-width": "2", "stroke-dasharray": line.dashed ? "6 4" : "none",
                ])
            m.element("text", ["x": n(x + 28), "y": n(y), "fill": "#333333"], text: line.name)
            x += 40 + Double(line.name.count) * 6.2
        }
        if !bands.isEmpty {
            m.empty(
                "rect",
                [
                    "x": n(x), "y": n(y - 10), "width": "16", "height": "10", "fill": "#c62828",
                    "fill-opacity": "0.10",
                ])
            m.element("text", ["x": n(x + 22), "y": n(y), "fill": "#333333"], text: "rollback switch engaged")
        }
    }

    /// The y axis' bounds and tick step.
    private func yDomain() -> (Double, Double, Double) {
        switch y {
        case .fixed(let low, let high):
            return ChartScale.nice(low, high)
        case .fromZero, .fromData:
            let values = series.flatMap { $0.points.compactMap(\.y) } + references.map(\.y)
            var low = values.min() ?? 0
            var high = values.max() ?? 1
            if case .fromZero = y {
                low = min(0, low)
                if high <= 0 { high = 1 }
            }
            var domain = ChartScale.nice(low, high)
            if case .fromData(let ceiling?) = y, domain.high > ceiling {
                domain.high = ceiling
                if domain.low >= ceiling { domain.low = ceiling - domain.step }
            }
            return domain
        }
    }

    /// The series' unbroken stretches: no missing value, no gap longer than ``maxGap``.
    private func runs(of line: Series) -> [[(x: Double, y: Double)]] {
        var runs: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for point in line.points {
            guard let value = point.y, value.isFinite else {
                if !current.isEmpty { runs.append(current) }
                current = []
                continue
            }
            if let last = current.last, let maxGap, point.x - last.x > maxGap, !line.stepped {
                runs.append(current)
                current = []
            }
            current.append((point.x, value))
        }
        if !current.isEmpty { runs.append(current) }
        return runs
    }

    /// At most four points per pixel column (first, lowest, highest, last), in time order.
    private func thin(_ run: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        let columns = Int(Self.plotRight - Self.plotLeft)
        guard run.count > columns * 4, let first = run.first, let last = run.last, last.x > first.x else { return run }
        var result: [(x: Double, y: Double)] = []
        var index = 0
        let width = (last.x - first.x) / Double(columns)
        while index < run.count {
            let column = min(columns - 1, Int((run[index].x - first.x) / width))
            var end = index
            while end + 1 < run.count, min(columns - 1, Int((run[end + 1].x - first.x) / width)) == column {
                end += 1
            }
            let slice = run[index...end]
            let lowest = slice.min { $0.y < $1.y }!
            let highest = slice.max { $0.y < $1.y }!
            var picked = [slice.first!, lowest, highest, slice.last!]
            picked.sort { $0.x < $1.x }
            for point in picked where result.last.map({ $0.x != point.x || $0.y != point.y }) ?? true {
                result.append(point)
            }
            index = end + 1
        }
        return result
    }

    /// A coordinate with one decimal.
    private func n(_ value: Double) -> String { ReportFormat.fixed(value, 1) }
}
