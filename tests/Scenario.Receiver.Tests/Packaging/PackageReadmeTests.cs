using System.Text.RegularExpressions;

namespace Scenario.Receiver.Tests.Packaging;

/// <summary>
/// What `dotnet pack` puts in each package as its readme stands alone there: it links nothing the package
/// does not hold (no repository paths such as docs/… or src/…), and names the entry points it ships.
/// </summary>
public sealed partial class PackageReadmeTests
{
    [Theory]
    [InlineData("src/Scenario.Receiver/PACKAGE.md")]
    [InlineData("src/Scenario.Receiver.Testing/TESTING.md")]
    public void PackageReadme_LinksNothingOutsideThePackage(string path)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), path));

        var links = MarkdownLink().Matches(text).Select(m => m.Groups["target"].Value).ToList();

        Assert.All(links, link => Assert.True(link.StartsWith('#'), $"{path} links '{link}', which is not inside the package."));
    }

    [Fact]
    public void LibraryProject_PacksPackageMdAsTheReadme()
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver/Scenario.Receiver.csproj"));

        Assert.Contains("<None Include=\"PACKAGE.md\" Pack=\"true\" PackagePath=\"/README.md\" />", project, StringComparison.Ordinal);
        Assert.Contains("<None Remove=\"$(MSBuildThisFileDirectory)../../README.md\" />", project, StringComparison.Ordinal);
    }

    [Fact]
    public void LibraryReadme_ShowsBothEntryPointsWithTheirUsings()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver/PACKAGE.md"));

        Assert.Contains("using Hangfire;", text, StringComparison.Ordinal);
        Assert.Contains("using Scenario.Receiver;", text, StringComparison.Ordinal);
        Assert.Contains(".WithScenarioLongRunning()", text, StringComparison.Ordinal);
        Assert.Contains("[ScenarioLongRunning", text, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Scenario.Receiver.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, $"No Scenario.Receiver.sln above {AppContext.BaseDirectory}.");
        return directory.FullName;
    }

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
