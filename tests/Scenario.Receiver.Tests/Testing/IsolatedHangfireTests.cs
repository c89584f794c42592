using Hangfire;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Scenario.Receiver.Tests.Testing;

/// <summary>AddIsolatedHangfire: a host's Hangfire without Hangfire's process-wide configuration.</summary>
public sealed class IsolatedHangfireTests
{
    [Fact]
    public async Task AddIsolatedHangfire_ServerAndDashboard_StartWithoutHangfiresGlobalConfiguration()
    {
        using var storage = new InMemoryStorage();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddIsolatedHangfire(storage);
        builder.Services.AddHangfireServer();
        await using var app = builder.Build();
        app.UseHangfireDashboard();
        await app.StartAsync();

        var configuration = app.Services.GetRequiredService<IGlobalConfiguration>();

        // AddHangfireServer and UseHangfireDashboard accepted the host's own marker: neither threw.
        Assert.NotSame(GlobalConfiguration.Configuration, configuration);
        Assert.Same(storage, app.Services.GetRequiredService<JobStorage>());
        await app.StopAsync();
    }
}
