import ArgumentParser

struct SVDBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "svd", abstract: "SVD against LAPACK sgesdd (in progress).")
    func run() throws { throw ExitCode(2) }
}
