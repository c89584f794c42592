using System.Text.RegularExpressions;

namespace Scenario.Receiver.Tests.Packaging;

/// <summary>
/// The folders of src/Scenario.Receiver are stages of a task's flow, and each uses only the stages below it (README,
/// Design). Read as ../shared/tools/folder_graph.py reads them: by the names of the types a folder declares that
/// another folder's code (comments and strings left out) mentions, not by <c>using</c> lines, which miss types of the
/// root namespace and count unused imports. A new folder needs a place in <see cref="Stages"/>.
/// </summary>
public sealed partial class FolderStageTests
{
    /// <summary>From the top (the composition root, which may use every stage) to the bottom.</summary>
    private static readonly string[] Stages =
    [
        "Hosting",
        "Operations",
        "Recovery",
        "Completion",
        "Work",
        "Entries",
        "Request",
        "Delivery",
        "Tasks",
        "Plumbing",
        "Options",
        "Diagnostics",
    ];

    [Fact]
    public void SourceFolders_EachTopLevelFolderAndFile_HasAStage()
    {
        var source = SourceRoot();

        var folders = Directory.GetDirectories(source).Select(Path.GetFileName).Where(name => name is not ("bin" or "obj")).Order(StringComparer.Ordinal);
        var filesAtTheRoot = Directory.GetFiles(source, "*.cs").Select(Path.GetFileName);

        Assert.Equal(Stages.Order(StringComparer.Ordinal), folders);
        Assert.Empty(filesAtTheRoot);
    }

    [Fact]
    public void SourceFolders_ByTypeReferences_UseOnlyStagesBelowThem()
    {
        var source = SourceRoot();
        var files = Directory.GetFiles(source, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(source, path))
            .Select(path => (Folder: StageOf(source, path), Text: CommentsAndStrings().Replace(File.ReadAllText(path), " ")))
            .ToList();

        // A name declared in two folders says nothing about which one is meant: left out, as the tool does.
        var owners = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (folder, text) in files)
        {
            foreach (Match declaration in TypeDeclaration().Matches(text))
            {
                var name = declaration.Groups["name"].Value;
                owners[name] = !owners.TryGetValue(name, out var owner) || owner == folder ? folder : null;
            }
        }

        var upward = files
            .SelectMany(file => TypeName().Matches(file.Text)
                .Select(word => (file.Folder, Used: word.Value, Owner: owners.GetValueOrDefault(word.Value))))
            .Where(use => use.Owner is not null && use.Owner != use.Folder && Array.IndexOf(Stages, use.Owner) <= Array.IndexOf(Stages, use.Folder))
            .Select(use => $"{use.Folder} uses {use.Owner}.{use.Used}")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);

        Assert.Empty(upward);
    }

    private static string StageOf(string source, string path)
        => Path.GetRelativePath(source, path).Split(Path.DirectorySeparatorChar) is { Length: > 1 } parts ? parts[0] : "(root)";

    private static bool IsBuildOutput(string source, string path)
        => StageOf(source, path) is "bin" or "obj";

    private static string SourceRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Scenario.Receiver.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"No Scenario.Receiver.sln above {AppContext.BaseDirectory}.");
        return Path.Combine(directory.FullName, "src", "Scenario.Receiver");
    }

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:[^""]|"""")*""|""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\])'", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    [GeneratedRegex(@"\b(?:class|struct|interface|record|enum|delegate\s+\S+)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\b[A-Z]\w*\b")]
    private static partial Regex TypeName();
}
