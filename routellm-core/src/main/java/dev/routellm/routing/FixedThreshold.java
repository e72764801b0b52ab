package dev.routellm.routing;

/** A threshold that never changes. Immutable. */
record FixedThreshold(double value) implements ThresholdSource {
  FixedThreshold {
    if (!(value >= 0.0 && value <= 1.0)) {
      throw new IllegalArgumentException("threshold must be in [0, 1] but was " + value);
    }
  }

  @Override
  public double next(double score) {
    return value;
  }

  @Override
  public double current() {
    return value;
  }

  @Override
  public String describe() {
    return Double.toString(value);
  }
}
