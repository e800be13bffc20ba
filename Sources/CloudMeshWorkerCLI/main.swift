import ArgumentParser

// TEMPORARY (integrate branch): runs `run` directly until the root command of the CLI branch is merged, which
// replaces this file (`@main CloudMeshWorkerCommand`, with RunCommand as its default subcommand).
do {
    let command = try RunCommand.parse()
    try await command.runWorker()
} catch {
    RunCommand.exit(withError: error)
}
