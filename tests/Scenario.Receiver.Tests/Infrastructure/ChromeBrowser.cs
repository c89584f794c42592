using OpenQA.Selenium.Chrome;

namespace Scenario.Receiver.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, headless, driven through Debian's chromedriver: both named by their paths, so Selenium Manager
/// looks nothing up and downloads nothing. Missing, the browser tests skip with the reason, or fail under CI=true
/// (.ci/run installs both), as the PostgreSQL and Redis tests do.
/// </summary>
public static class ChromeBrowser
{
    public const string BrowserPath = "/usr/bin/chromium";
    public const string DriverPath = "/usr/bin/chromedriver";

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public static string? UnavailableReason
        => File.Exists(BrowserPath) && File.Exists(DriverPath)
            ? null
            : $"Debian's chromium and chromium-driver are not installed ({BrowserPath}, {DriverPath}); .ci/run installs them.";

    /// <summary>Skips the test without a browser, unless under CI, where a missing browser is a failure.</summary>
    public static void SkipUnlessAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), reason);
            Skip.If(true, reason);
        }
    }

    public static ChromeDriver Start()
    {
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,1100");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
