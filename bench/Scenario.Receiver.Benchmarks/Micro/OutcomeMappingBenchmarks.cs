using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Scenario.Receiver.Benchmarks.Work;
using Scenario.Receiver.Entries.Mvc;
using EndpointOutcomeMapper = Scenario.Receiver.Work.EndpointOutcomeMapper;

namespace Scenario.Receiver.Benchmarks.Micro;

/// <summary>
/// What the action returned → <c>outputValues</c> (MVC's answer of <c>Ok(result)</c>, then EndpointOutcomeMapper.FromAnswer),
/// against the dictionary a hand-written job builds property by property.
/// </summary>
[Config(typeof(MicroConfig))]
public class OutcomeMappingBenchmarks
{
    private readonly WorkResult _result = PricingWork.Run(PricingWork.SampleRequest());
    private ServiceProvider _services = null!;
    private EndpointOutcomeMapper _mapper = null!;
    private object _okResult = null!;
    private System.Text.Json.JsonSerializerOptions _jsonOptions = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddBenchReceiver().BuildServiceProvider();
        _mapper = _services.GetRequiredService<EndpointOutcomeMapper>();
        _jsonOptions = _services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JsonOptions>>().Value.JsonSerializerOptions;

        // What LibraryController.Post returns: ActionResult<WorkResult> wrapping Ok(result).
        _okResult = new ActionResult<WorkResult>(new OkObjectResult(_result));
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "hand-written dictionary")]
    public Dictionary<string, string> HandWritten_Dictionary() => new()
    {
        ["statusCode"] = "200",
        ["portfolio"] = _result.Portfolio,
        ["quantity"] = _result.Quantity.ToString(CultureInfo.InvariantCulture),
        ["notional"] = _result.Notional.ToString(CultureInfo.InvariantCulture),
        ["urgent"] = _result.Urgent ? "true" : "false",
        ["asOf"] = _result.AsOf.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
    };

    [Benchmark(Description = "EndpointOutcomeMapper.FromAnswer(Ok(x))")]
    public object Library_FromResult() => _mapper.FromAnswer(MvcAnswer.From(_okResult), _jsonOptions);
}
