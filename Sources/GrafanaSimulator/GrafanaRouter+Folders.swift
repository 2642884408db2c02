import Foundation
import HTTPServer

/// Folder listing and lookup (grafana-api.md §10; Grafana's OpenAPI `getFolders`, `getFolderByUID`).
extension GrafanaRouter {
    /// One level of the tree (`parentUid`, top level by default), paged by `limit` (default 1000) and `page`.
    func folders() -> HTTPResponse {
        if let denied = require("folders:read") { return denied }
        let (limit, page) = paging(sizeKey: "limit")
        let parent = request.query["parentUid"].flatMap { $0.isEmpty ? nil : $0 }
        let level = model.folders.filter { $0.orgID == org && $0.parentUID == parent }.sorted { $0.title < $1.title }
        let slice = level.dropFirst((page - 1) * limit).prefix(limit)
        return .json(
            200,
            object: slice.map { folder in
                var hit: [String: Any] = ["id": folder.id, "uid": folder.uid, "title": folder.title]
                if let parent = folder.parentUID { hit["parentUid"] = parent }
                return hit
            })
    }

    /// Not found is `{"status": "not-found", "message": "folder not found"}` up to 11.x (ToFolderErrorResponse's
    /// `dashboards.ErrFolderNotFound` branch); 12.x's folder service returns errutil `folder.notFound`, which
    /// ToFolderErrorResponse passes through (`ErrOrFallback`) with no public message.
    func folder(_ uid: String) -> HTTPResponse {
        if let denied = require("folders:read") { return denied }
        guard let folder = model.folders.first(where: { $0.orgID == org && $0.uid == uid }) else {
            return model.majorVersion >= 12
                ? GrafanaResponses.reason(404, id: "folder.notFound")
                : .json(404, object: ["status": "not-found", "message": "folder not found"])
        }
        var body: [String: Any] = [
            "id": folder.id, "uid": folder.uid, "orgId": folder.orgID, "title": folder.title,
            "url": "/dashboards/f/\(folder.uid)/", "hasAcl": false, "canSave": true, "canEdit": true,
            "canAdmin": true, "canDelete": true, "createdBy": "admin", "updatedBy": "admin", "version": 1,
        ]
        if let parent = folder.parentUID { body["parentUid"] = parent }
        return .json(200, object: body)
    }
}
