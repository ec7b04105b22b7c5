/// The live page's files, compiled into the binary (no CDN: the machines have no internet).
enum DashboardPage {
    static let index: [UInt8] = PackageResources.index_html
    static let stylesheet: [UInt8] = PackageResources.dashboard_css
    static let script: [UInt8] = PackageResources.dashboard_js
}
