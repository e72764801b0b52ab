package dev.routellm.cascade;

import static dev.routellm.cascade.LogprobConfidenceModelTest.sumOf;
import static dev.routellm.cascade.LogprobConfidenceModelTest.sums;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ConfidenceModelFileTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(CalibrationMethod.class)
  void saveThenLoad_eachMethod_givesTheSameConfidences(CalibrationMethod method) {
    LogprobConfidenceModel fitted =
        LogprobConfidenceModel.fit(
            method,
            List.of(LogprobFeature.SUM),
            sums(-40, -31, -22, -20, -15, -9, -3),
            List.of(false, false, true, false, true, true, true));
    Path file = dir.resolve("model.json");

    fitted.save(file);
    ConfidenceModel loaded = ConfidenceModel.load(file);

    assertThat(loaded).isInstanceOf(LogprobConfidenceModel.class);
    LogprobConfidenceModel m = (LogprobConfidenceModel) loaded;
    assertThat(m.method()).isEqualTo(method);
    assertThat(m.name()).isEqualTo(fitted.name());
    for (double s = -45; s <= 0; s += 2.5) {
      assertThat(m.confidence(sumOf(s))).isEqualTo(fitted.confidence(sumOf(s)));
    }
  }

  @Test
  void save_alamere_writesAVersionedReadableFile() throws IOException {
    Path file = dir.resolve("alamere.json");

    LogprobConfidenceModel.alamere().save(file);

    String json = Files.readString(file);
    assertThat(json)
        .contains("\"format\" : \"routellm-confidence-model\"", "\"version\" : 1", "\"method\" : \"ols\"")
        .contains("0.01186387", "1.05021634");
    assertThat(LogprobConfidenceModel.load(file).confidence(sumOf(-20)))
        .isEqualTo(LogprobConfidenceModel.alamere().confidence(sumOf(-20)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "missing coefficients | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'ols','features':['sum'],'intercept':1} | field 'coefficients' is required",
        "newer version | {'format':'routellm-confidence-model','version':2,'type':'logprob','name':'m','method':'ols','features':['sum'],'intercept':1,'coefficients':[1]} | field 'version' is 2 but this library reads version 1",
        "wrong format | {'format':'something-else','version':1} | field 'format' must be 'routellm-confidence-model'",
        "unknown feature | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'ols','features':['summ'],'intercept':1,'coefficients':[1]} | field 'features[0]': unknown log-probability feature 'summ'",
        "coefficient count | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'logistic','features':['sum','mean'],'intercept':1,'coefficients':[1]} | field 'coefficients' must hold one number per feature (2) but holds 1",
        "string coefficient | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'ols','features':['sum'],'intercept':'one','coefficients':[1]} | field 'intercept' must be a finite number but was \"one\"",
        "unknown method | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'svm','features':['sum'],'intercept':1,'coefficients':[1]} | field 'method': unknown calibration method 'svm'",
        "unknown field | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'ols','features':['sum'],'intercept':1,'coefficients':[1],'slope':2} | unknown field 'slope'",
        "isotonic decreasing | {'format':'routellm-confidence-model','version':1,'type':'logprob','name':'m','method':'isotonic','features':['sum'],'x':[1,2],'y':[0.9,0.1]} | field 'y' must be non-decreasing",
        "unknown type | {'format':'routellm-confidence-model','version':1,'type':'embedding','name':'m'} | field 'type' must be",
        "not an object | [1, 2] | expected a JSON object",
      })
  void load_badFile_namesTheFieldAtFault(String title, String json, String expected) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, json.replace('\'', '"'));

    assertThatThrownBy(() -> ConfidenceModel.load(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining(expected);
  }

  @Test
  void load_notJson_saysSo() throws IOException {
    Path file = dir.resolve("broken.json");
    Files.writeString(file, "{\"format\": ");

    assertThatThrownBy(() -> ConfidenceModel.load(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void load_missingFile_saysSo() {
    assertThatThrownBy(() -> ConfidenceModel.load(dir.resolve("nope.json")))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("no such file");
  }
}
