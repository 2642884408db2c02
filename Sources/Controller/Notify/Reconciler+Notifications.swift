import AccessModel
import Foundation

extension Reconciler {
    /// How notices are worded and stamped for this controller and the checkout it last read.
    var noticePolicy: NoticePolicy {
        NoticePolicy(target: configuration.target, provenance: provenance, expiryNotices: configuration.expiryNotices)
    }
}
