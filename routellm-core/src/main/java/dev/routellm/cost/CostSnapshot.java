package dev.routellm.cost;

import java.util.Map;

/**
 * Totals of routed traffic at one moment. Immutable.
 *
 * @param requests routed requests answered
 * @param strongRequests requests answered by the reference model (the strong model of a two-model router)
 * @param failedRequests routed requests that failed (not counted in {@code requests}); what their calls cost is in
 *     {@code cost}
 * @param cost dollars spent on all calls, those made for failed requests included
 * @param allStrongCost dollars the same requests would have cost sent to the reference model alone (each request's
 *     token counts priced at the reference model's rates; an estimate where another model answered)
 * @param models per-model call totals, by model name
 */
public record CostSnapshot(
    long requests,
    long strongRequests,
    long failedRequests,
    double cost,
    double allStrongCost,
    Map<String, ModelTotals> models) {

  public CostSnapshot {
    models = Map.copyOf(models);
  }

  /** Share of requests answered by the reference (strong) model, in [0, 1]; 0 before any request. */
  public double strongShare() {
    return requests == 0 ? 0.0 : (double) strongRequests / requests;
  }

  /**
   * Dollars saved against sending everything to the reference (strong) model: {@link #allStrongCost()} less {@link #cost()}, so
   * money spent on failed requests lowers it.
   */
  public double saving() {
    return allStrongCost - cost;
  }

  /** Saving as a fraction of the all-strong cost; 0 before any cost. */
  public double savingShare() {
    return allStrongCost <= 0.0 ? 0.0 : saving() / allStrongCost;
  }

  /**
   * Totals of one model's calls.
   *
   * @param calls calls that returned an answer (and were billed)
   * @param promptTokens prompt tokens billed
   * @param completionTokens completion tokens billed
   * @param cost dollars spent
   * @param answers requests answered with this model's answer
   * @param failures calls that failed
   * @param skipped times the model was not called because its circuit breaker was open
   */
  public record ModelTotals(
      long calls, long promptTokens, long completionTokens, double cost, long answers, long failures, long skipped) {
    /** Call totals without answer, failure and skip counts. */
    public ModelTotals(long calls, long promptTokens, long completionTokens, double cost) {
      this(calls, promptTokens, completionTokens, cost, 0, 0, 0);
    }

    /** As a record prints itself, with the cost as a plain decimal. */
    @Override
    public String toString() {
      return "ModelTotals[calls=" + calls + ", promptTokens=" + promptTokens + ", completionTokens="
          + completionTokens + ", cost=" + Dollars.format(cost) + ", answers=" + answers + ", failures=" + failures
          + ", skipped=" + skipped + "]";
    }
  }

  /** As a record prints itself, with dollar amounts as plain decimals. */
  @Override
  public String toString() {
    return "CostSnapshot[requests=" + requests + ", strongRequests=" + strongRequests + ", failedRequests="
        + failedRequests + ", cost=" + Dollars.format(cost) + ", allStrongCost=" + Dollars.format(allStrongCost)
        + ", models=" + new java.util.TreeMap<>(models) + "]";
  }
}
