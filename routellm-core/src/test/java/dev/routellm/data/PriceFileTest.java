package dev.routellm.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.routellm.InvalidFileException;
import dev.routellm.cost.ModelPrice;
import dev.routellm.cost.PriceTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PriceFileTest {
  @TempDir Path tmp;

  @Test
  void read_sharedZeroEvalPrices_givesEveryModelItsPrice() {
    PriceTable prices = NwayData.zeroEvalPrices();

    assertThat(prices.prices()).hasSize(24);
    assertThat(prices.price("gpt-4o-2024-08-06")).isEqualTo(new ModelPrice(2.5, 10.0));
    assertThat(prices.price("gemini-1.5-flash")).isEqualTo(new ModelPrice(0.075, 0.3));
    assertThat(NwayData.llmRouterPrices().price("gemma-2-9b-it")).isEqualTo(ModelPrice.flat(0.1));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "wrong header|model,input,output\\na,1,2|line 1: the header must be model,input_usd_per_mtok,output_usd_per_mtok",
      "negative|model,input_usd_per_mtok,output_usd_per_mtok\\na,-1,2|line 2: field 'input_usd_per_mtok' must be a"
          + " finite price >= 0 (US dollars per million tokens) but was '-1'",
      "not a number|model,input_usd_per_mtok,output_usd_per_mtok\\na,1,free|line 2: field 'output_usd_per_mtok'"
          + " must be a finite price",
      "repeated|model,input_usd_per_mtok,output_usd_per_mtok\\na,1,2\\na,1,3|line 3: field 'model': 'a' already has"
          + " a price on line 2",
      "empty model|model,input_usd_per_mtok,output_usd_per_mtok\\n ,1,2|line 2: field 'model' is empty",
      "no rows|model,input_usd_per_mtok,output_usd_per_mtok|holds no prices"
  })
  void read_brokenFile_namesTheLineAndField(String what, String content, String message) throws IOException {
    Path file = tmp.resolve("prices.csv");
    Files.writeString(file, content.replace("\\n", "\n") + "\n");

    assertThatThrownBy(() -> PriceFile.read(file))
        .isInstanceOf(InvalidFileException.class)
        .hasMessageContaining("prices.csv")
        .hasMessageContaining(message);
  }
}
