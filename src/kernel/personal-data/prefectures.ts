/** Japan's 47 prefectures with their regions (used by demo data, validation and statistics). */
export const PREFECTURES: ReadonlyArray<{ name: string; region: string }> = [
  { name: "Hokkaido", region: "Hokkaido" },
  ...["Aomori", "Iwate", "Miyagi", "Akita", "Yamagata", "Fukushima"].map((name) => ({ name, region: "Tohoku" })),
  ...["Ibaraki", "Tochigi", "Gunma", "Saitama", "Chiba", "Tokyo", "Kanagawa"].map((name) => ({ name, region: "Kanto" })),
  ...["Niigata", "Toyama", "Ishikawa", "Fukui", "Yamanashi", "Nagano", "Gifu", "Shizuoka", "Aichi"].map((name) => ({
    name,
    region: "Chubu",
  })),
  ...["Mie", "Shiga", "Kyoto", "Osaka", "Hyogo", "Nara", "Wakayama"].map((name) => ({ name, region: "Kansai" })),
  ...["Tottori", "Shimane", "Okayama", "Hiroshima", "Yamaguchi"].map((name) => ({ name, region: "Chugoku" })),
  ...["Tokushima", "Kagawa", "Ehime", "Kochi"].map((name) => ({ name, region: "Shikoku" })),
  ...["Fukuoka", "Saga", "Nagasaki", "Kumamoto", "Oita", "Miyazaki", "Kagoshima", "Okinawa"].map((name) => ({ name, region: "Kyushu" })),
];

export const PREFECTURE_NAMES: readonly string[] = PREFECTURES.map((p) => p.name);
