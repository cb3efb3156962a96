module attributes {ag.llm = {max_context = 4 : i64}} {
  func.func @decode(%x: tensor<1x1x1x2xf32> {ag.name = "x"}, %pos: tensor<i64> {ag.name = "position"}, %kc: tensor<1x1x4x2xf32> {ag.state = "cache"}) -> (tensor<1x1x1x2xf32> {ag.name = "y"}, tensor<1x1x4x2xf32> {ag.state = "cache"}) {
    %u = ag.constant dense<[[[[5.0, 6.0]]]]> : tensor<1x1x1x2xf32>
    %w = ag.kv_cache_write %u into %kc at %pos : tensor<1x1x1x2xf32>, tensor<1x1x4x2xf32>, tensor<i64>
    %n = ag.constant dense<4> : tensor<i64>
    %o = ag.attention %x, %w, %w kv_len %n : (tensor<1x1x1x2xf32>, tensor<1x1x4x2xf32>, tensor<1x1x4x2xf32>, tensor<i64>) -> tensor<1x1x1x2xf32>
    return %o, %w : tensor<1x1x1x2xf32>, tensor<1x1x4x2xf32>
  }
}
