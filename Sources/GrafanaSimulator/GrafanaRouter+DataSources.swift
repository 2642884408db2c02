import Foundation
import HTTPServer

/// Data-source listing and lookup (grafana-api.md §6).
extension GrafanaRouter {
    func dataSources() -> HTTPResponse {
        if let denied = require("datasources:read") { return denied }
        let sources = model.dataSources.filter { $0.orgID == org }.sorted { $0.name < $1.name }
        return .json(
            200,
            object: sources.map { source in
                var item = common(source)
                item["typeName"] = source.type.capitalized
                item["typeLogoUrl"] = "public/app/plugins/datasource/\(source.type)/img/logo.svg"
                return item
            })
    }

    func dataSource(by key: String, _ value: String) -> HTTPResponse {
        if let denied = require("datasources:read") { return denied }
        let match = model.dataSources.first { $0.orgID == org && (key == "uid" ? $0.uid == value : $0.name == value) }
        guard let source = match else { return GrafanaResponses.message(404, "Data source not found") }
        var item = common(source)
        item["basicAuthUser"] = ""
        item["withCredentials"] = false
        item["secureJsonFields"] = [String: Bool]()
        item["version"] = 1
        item["apiVersion"] = ""
        return .json(200, object: item)
    }

    private func common(_ source: GrafanaModel.DataSource) -> [String: Any] {
        [
            "id": source.id, "uid": source.uid, "orgId": source.orgID, "name": source.name, "type": source.type,
            "access": "proxy", "url": source.url, "user": "", "database": "", "basicAuth": false, "isDefault": false,
            "jsonData": [String: String](), "readOnly": false,
        ]
    }
}
