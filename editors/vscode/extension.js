// The story language server in VS Code: starts `play.py lsp` (the command in the setting
// storyLsp.command) for the YAML files of the workspace; the server serves the files that sit in
// a folder holding story.yaml (or below one) and ignores the rest.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("storyLsp").get("command");
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  client = new LanguageClient(
    "storyLsp",
    "Story language server",
    { command, args, options: { cwd: folder ? folder.uri.fsPath : undefined } },
    {
      documentSelector: [{ scheme: "file", language: "yaml" }],
      // Files changed outside the editor (git checkout, another tool) are checked again.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.{yaml,yml}") },
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
