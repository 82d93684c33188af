// Joins the Office, checks its MAC, counts itself.
export async function run(client, ctx) {
  await client.expectOk("AT+QSTAAPINFO=Office,correct-horse");
  await client.waitUrc("+QSTASTAT", { match: (u) => u.params[0] === "GOT_IP", timeoutMs: 20000 });
  const [mac] = await client.expectOk("AT+QWLMAC");
  if (mac !== `+QWLMAC:${ctx.identity.mac}`) throw new Error(`MAC ${mac}`);
  ctx.metrics.inc("checked");
  ctx.log(`${ctx.identity.serial} ok`);
}
