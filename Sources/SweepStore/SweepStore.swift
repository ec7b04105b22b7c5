public import Postgres
public import SweepKit

/// Migrations, repositories, the embedded server and the reports (issue 4).
public enum SweepStore {}
