using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Scenario.Receiver.ScaleOutBenchmark;

/// <summary>
/// A PostgreSQL server for the run: either one given by connection string, or a throwaway one (initdb into a
/// temporary folder, pg_ctl on a free loopback port, removed at the end), as the tests start theirs. As root,
/// the binaries run as the postgres user, because initdb refuses root. Each measurement gets a fresh database.
/// The load benchmark also asks for pg_stat_statements (to count statements per task), when it is installed.
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private readonly string? _folder;
    private readonly string? _pgCtl;
    private readonly bool _asPostgresUser;
    private int _databases;

    private ThrowawayPostgres(string adminConnectionString, string? folder, string? pgCtl, bool asPostgresUser)
    {
        _adminConnectionString = adminConnectionString;
        _folder = folder;
        _pgCtl = pgCtl;
        _asPostgresUser = asPostgresUser;
    }

    /// <summary>What it is, for the results: the server's version string and whether it was started here.</summary>
    public string Description { get; private set; } = string.Empty;

    /// <summary>
    /// Whether pg_stat_statements is loaded and created in the admin database (only when asked for): its view
    /// there sees every database's statements.
    /// </summary>
    public bool HasStatementStatistics { get; private set; }

    /// <summary>The superuser's connection string to the <c>postgres</c> database, for reading statistics apart from the measured database.</summary>
    public string AdminConnectionString => _adminConnectionString;

    /// <param name="existing">A server's connection string to use instead of starting one.</param>
    /// <param name="withStatementStatistics">
    /// Start the throwaway server with pg_stat_statements preloaded (track=all) if the extension is installed
    /// next to its binaries; on an existing server, use it if it is already preloaded.
    /// </param>
    public static async Task<ThrowawayPostgres> StartAsync(string? existing, bool withStatementStatistics = false)
    {
        ThrowawayPostgres server;
        if (existing is not null)
        {
            server = new ThrowawayPostgres(existing, null, null, false);
        }
        else
        {
            var bin = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "pg_ctl"))).OrderDescending().FirstOrDefault()
                : null;
            if (bin is null)
            {
                throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql/*/bin: install Debian's postgresql package or pass --postgres \"<connection string>\".");
            }

            var asPostgresUser = (await RunAsync("id", ["-u"], false)).Trim() == "0";
            var folder = Path.Combine(asPostgresUser ? "/tmp" : Path.GetTempPath(), "scenario-bench-pg-" + Guid.NewGuid().ToString("N")[..12]);
            Directory.CreateDirectory(Path.Combine(folder, "socket"));
            if (asPostgresUser)
            {
                await RunAsync("chown", ["-R", "postgres:", folder], false);
            }

            var data = Path.Combine(folder, "data");
            await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync"], asPostgresUser);
            var port = FreePort();

            // Durable settings as a production server keeps them (fsync on): the numbers should hold for one.
            var serverOptions = $"-p {port.ToString(CultureInfo.InvariantCulture)} -c listen_addresses=127.0.0.1 -c unix_socket_directories={Path.Combine(folder, "socket")} -c max_connections=300";
            if (withStatementStatistics && StatementStatisticsInstalled(bin))
            {
                // track=all: statements run inside functions count too, so nothing the storage does is missed.
                serverOptions += " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all";
            }

            await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start"], asPostgresUser);
            var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres" }.ConnectionString;
            server = new ThrowawayPostgres(admin, folder, Path.Combine(bin, "pg_ctl"), asPostgresUser);
        }

        await using var connection = new NpgsqlConnection(server._adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version()", connection);
        server.Description = $"{await command.ExecuteScalarAsync()}{(server._folder is null ? string.Empty : " (throwaway server started by the run, fsync on, defaults otherwise)")}";
        if (withStatementStatistics)
        {
            await using var preloaded = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", connection);
            if ((bool)(await preloaded.ExecuteScalarAsync())!)
            {
                await using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements", connection);
                await create.ExecuteNonQueryAsync();
                server.HasStatementStatistics = true;
            }
        }

        return server;
    }

    /// <summary>A new, empty database; its connection string.</summary>
    /// <param name="prefix">The start of its name (a counter and a GUID follow), which says whose it is.</param>
    public async Task<string> CreateDatabaseAsync(string prefix = "scaleout")
    {
        var name = $"{prefix}_{Interlocked.Increment(ref _databases).ToString(CultureInfo.InvariantCulture)}_{Guid.NewGuid().ToString("N")[..8]}";
        await using (var connection = new NpgsqlConnection(_adminConnectionString))
        {
            await connection.OpenAsync();
#pragma warning disable CA2100 // The name is made above from a counter and a GUID.
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>
    /// The CPU time the throwaway server has used so far, from /proc: the postmaster's own and its exited children's
    /// (it reaps them), plus its live backends' and workers'. Null for a server the run did not start, or off Linux.
    /// Only this server's processes count: other PostgreSQL servers on a shared machine are not its children.
    /// </summary>
    public TimeSpan? ServerCpuTime()
    {
        if (_folder is null || !OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var postmaster = int.Parse(File.ReadLines(Path.Combine(_folder, "data", "postmaster.pid")).First(), CultureInfo.InvariantCulture);
            long ticks = 0;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                {
                    continue;
                }

                string stat;
                try
                {
                    stat = File.ReadAllText(Path.Combine(directory, "stat"));
                }
                catch (IOException)
                {
                    continue; // it exited while we looked: its time is in the postmaster's children's now
                }

                // After the command in parentheses: state, ppid, …; utime and stime are fields 14 and 15, cutime and cstime 16 and 17.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (pid == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                        + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
                }
                else if (parent == postmaster)
                {
                    ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }

            // Linux reports these in USER_HZ, 100 a second on every common configuration.
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await RunAsync(_pgCtl!, ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Debian's layout: the library beside the binaries (<c>…/15/lib</c>), the control file under <c>/usr/share/postgresql/15/extension</c>.</summary>
    private static bool StatementStatisticsInstalled(string bin)
    {
        var versionFolder = Path.GetDirectoryName(bin)!;
        return File.Exists(Path.Combine(versionFolder, "lib", "pg_stat_statements.so"))
            && File.Exists(Path.Combine("/usr/share/postgresql", Path.GetFileName(versionFolder), "extension", "pg_stat_statements.control"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> RunAsync(string fileName, IReadOnlyList<string> arguments, bool asPostgresUser)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgresUser)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", fileName })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
    }
}
