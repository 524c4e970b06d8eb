{"type":"number","value":1.625,"exact":"13/8"}
{"type":"number","value":0.0450000000,"error":1e-15}
{"type":"sequence","start":0,"values":[1,1,1.5,1.625,0.75,0.25]}
{"type":"matrix","rows":[["a·w + b·x + e·y + f·z", "..."], ...]}
{"type":"function","name":"h","var":"t","exact":true,"pieces":[{"from":0,"to":1,"closed_from":true,"closed_to":false,"expr":"t^2/2"}, ...]}
{"type":"steps","op":"conv","rows":[{"n":3,"terms":[{"m":1,"x":0.5,"y":0.25,"product":0.125}, ...],"value":1.625}, ...]}
{"type":"steps","op":"conv","t":0.3,"intervals":[{"from":0,"to":0.3,"integrand":"1·(0.3 − τ)","value":0.045,"error":1e-16}],"value":0.045}
{"type":"check","passed":true,"left":...,"right":...}
{"type":"table", "columns":[...], "rows":[[...]]}
