using System.Reflection;
using System.Text.RegularExpressions;
using Scenario.Receiver.Testing;

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
    [InlineData("src/Scenario.Receiver.OpenTelemetry/PACKAGE.md")]
    [InlineData("src/Scenario.Receiver.PostgreSql/PACKAGE.md")]
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

    [Theory]
    [InlineData(typeof(ScenarioStandIn))]
    [InlineData(typeof(ReceivedTaskStatus))]
    [InlineData(typeof(ReceivedCancellationQuery))]
    [InlineData(typeof(RecordedRequest))]
    [InlineData(typeof(RestCallResponse))]
    [InlineData(typeof(ScenarioRestCall))]
    [InlineData(typeof(ScenarioStandInHostOptions))]
    [InlineData(typeof(TaskStatusEndpointClient))]
    [InlineData(typeof(ReceiverTaskView))]
    public void TestingReadme_NamesEveryPublicMemberOfATypeTestsUse(Type type)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.Testing/TESTING.md"));
        var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(member => member is PropertyInfo or FieldInfo || member is MethodInfo { IsSpecialName: false })
            .Select(member => member.Name)
            .Distinct();

        Assert.Contains($"`{type.Name}`", text, StringComparison.Ordinal);
        Assert.All(members, name => Assert.True(text.Contains(name, StringComparison.Ordinal), $"TESTING.md does not name {type.Name}.{name}."));
    }

    [Fact]
    public void TestingReadme_GivesTheVersionRuleOfMvcTesting()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.Testing/TESTING.md"));

        Assert.Contains("dotnet add package Microsoft.AspNetCore.Mvc.Testing --version 10.0.*", text, StringComparison.Ordinal);
        Assert.Contains("`11.0.0`) does not restore on `net10.0`", text, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenTelemetryReadme_ShowsTheThreeLinesAndIsPackedAsTheReadme()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.OpenTelemetry/PACKAGE.md"));
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.OpenTelemetry/Scenario.Receiver.OpenTelemetry.csproj"));

        Assert.Contains(
            """
            builder.Services.AddOpenTelemetry()
                .WithTracing(tracing => tracing.AddScenarioReceiverInstrumentation())
                .WithMetrics(metrics => metrics.AddScenarioReceiverInstrumentation());
            """,
            text,
            StringComparison.Ordinal);
        Assert.Contains("<None Include=\"PACKAGE.md\" Pack=\"true\" PackagePath=\"/README.md\" />", project, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Scenario.Receiver", "src/Scenario.Receiver/PACKAGE.md")]
    [InlineData("Scenario.Receiver.PostgreSql", "src/Scenario.Receiver.PostgreSql/PACKAGE.md")]
    [InlineData("Scenario.Receiver.Testing", "src/Scenario.Receiver.Testing/TESTING.md")]
    [InlineData("Scenario.Receiver.OpenTelemetry", "src/Scenario.Receiver.OpenTelemetry/PACKAGE.md")]
    public void PackageReadme_NamesEveryPublicTypeOfItsAssembly(string assemblyName, string path)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), path));
        var types = Assembly.Load(assemblyName).GetExportedTypes().Select(type => type.Name.Split('`')[0]).Distinct().ToList();

        Assert.NotEmpty(types);
        Assert.All(types, name => Assert.True(text.Contains(name, StringComparison.Ordinal), $"{path} does not name the public type {name}."));
    }

    [Theory]
    [InlineData("src/Scenario.Receiver/Scenario.Receiver.csproj")]
    [InlineData("src/Scenario.Receiver.PostgreSql/Scenario.Receiver.PostgreSql.csproj")]
    public void PackageProject_PacksItsOwnPackageMdAsTheReadme(string path)
    {
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), path));

        Assert.Contains("<None Include=\"PACKAGE.md\" Pack=\"true\" PackagePath=\"/README.md\" />", project, StringComparison.Ordinal);
        Assert.Contains("<None Remove=\"$(MSBuildThisFileDirectory)../../README.md\" />", project, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlProject_DependsOnTheExactCoreVersionItSeesTheInternalsOf()
    {
        var core = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver/Scenario.Receiver.csproj"));
        var project = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.PostgreSql/Scenario.Receiver.PostgreSql.csproj"));

        Assert.Contains("<InternalsVisibleTo Include=\"Scenario.Receiver.PostgreSql\" />", core, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", core, StringComparison.Ordinal);
        Assert.Contains("<ProjectVersion>[%(_ProjectReferencesWithVersions.ProjectVersion)]</ProjectVersion>", project, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSqlReadme_ShowsTheRegistrationAndTheSettingsTheGuaranteesNeed()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), "src/Scenario.Receiver.PostgreSql/PACKAGE.md"));

        Assert.Contains(".UsePostgreSqlTaskStore()", text, StringComparison.Ordinal);
        Assert.Contains("UseSlidingInvisibilityTimeout = true", text, StringComparison.Ordinal);
        Assert.Contains("DistributedLockTimeout", text, StringComparison.Ordinal);
        Assert.Contains("Scenario:TaskStore:ConnectionString", text, StringComparison.Ordinal);
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
