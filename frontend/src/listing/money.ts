// Attributes that are amounts of money: integers in minor units of the listing's currency (the
// API's convention for every amount), shown and typed in major units like the price. A unit
// test fails when the spec describes another attribute "in minor units" that is not listed here.
export const MONEY_FIELDS: readonly string[] = ['monthly_fixed_cost', 'hourly_wet_rate'];

export function isMoneyField(name: string): boolean {
  return MONEY_FIELDS.includes(name);
}
