#!/usr/bin/env bash
# Starts (or reuses) a private mariadbd for the backup benchmark and fills a
# database `benchdb` until its dump is about 2.4 GB. Idempotent.
#   BENCH_DIR  where the datadir lives (default /var/tmp/richsops-bench)
#   BENCH_ROWS rows of the generated table (default 8388608 = 2^23)
set -euo pipefail
DIR=${BENCH_DIR:-/var/tmp/richsops-bench}
ROWS=${BENCH_ROWS:-8388608}
SOCK=$DIR/mysqld.sock
mkdir -p "$DIR"
if [ ! -d "$DIR/data/mysql" ]; then
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$DIR/data" \
    --auth-root-authentication-method=normal --skip-test-db >"$DIR/install.log" 2>&1
fi
if ! mariadb --no-defaults -S "$SOCK" -uroot -e 'select 1' >/dev/null 2>&1; then
  mariadbd --no-defaults --user="$(id -un)" --datadir="$DIR/data" --socket="$SOCK" \
    --port=3417 --bind-address=127.0.0.1 --pid-file="$DIR/mysqld.pid" \
    --innodb-buffer-pool-size=2G --innodb-log-file-size=1G \
    --innodb-flush-log-at-trx-commit=0 --skip-log-bin >"$DIR/mysqld.log" 2>&1 &
  for _ in $(seq 60); do
    mariadb --no-defaults -S "$SOCK" -uroot -e 'select 1' >/dev/null 2>&1 && break
    sleep 1
  done
fi
q() { mariadb --no-defaults -S "$SOCK" -uroot "$@"; }
have=$(q -N -e "select count(*) from information_schema.tables where table_schema='benchdb' and table_name='items'")
if [ "$have" = 1 ] && [ "$(q -N -e 'select count(*) from benchdb.items')" -ge "$ROWS" ]; then
  echo "benchdb ready"; exit 0
fi
# Rows shaped like the richs item table: ids, SKUs, hex-ish codes, Japanese
# titles and descriptions, prices, timestamps. Doubling INSERT ... SELECT.
q -e "
DROP DATABASE IF EXISTS benchdb; CREATE DATABASE benchdb;
CREATE TABLE benchdb.items (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  sku VARCHAR(32) NOT NULL,
  asin CHAR(10) NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  price INT NOT NULL,
  stock INT NOT NULL,
  source ENUM('yahoo','mercari','auction') NOT NULL,
  url VARCHAR(255) NOT NULL,
  updated_at DATETIME NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO benchdb.items (sku,asin,title,description,price,stock,source,url,updated_at)
VALUES ('SKU-0000001','B000000001','テスト商品 サンプル','説明','1000','1','yahoo','https://store.example/item/1',NOW());"
n=1
while [ "$n" -lt "$ROWS" ]; do
  q -e "INSERT INTO benchdb.items (sku,asin,title,description,price,stock,source,url,updated_at)
  SELECT CONCAT('SKU-', LPAD(FLOOR(RAND()*100000000),8,'0')),
         UPPER(SUBSTR(MD5(RAND()),1,10)),
         CONCAT(ELT(1+FLOOR(RAND()*5),'【新品】','【中古】','【送料無料】','[美品]',''),
                ELT(1+FLOOR(RAND()*6),'ワイヤレスイヤホン ','炊飯器 5合 ','ランニングシューズ 26cm ','電動歯ブラシ ','LEDデスクライト ','ステンレス水筒 500ml '),
                SUBSTR(MD5(RAND()),1,8)),
         CONCAT(ELT(1+FLOOR(RAND()*4),'商品の状態は良好です。','未開封・未使用品です。','多少の傷があります。','付属品は写真のものが全てです。'),
                ' 型番 ', SUBSTR(SHA1(RAND()),1,16), ' 在庫 ', FLOOR(RAND()*50), '点。',
                ELT(1+FLOOR(RAND()*3),'発送は2-3日以内です。','即日発送いたします。','土日は発送できません。')),
         FLOOR(RAND()*50000), FLOOR(RAND()*20), ELT(1+FLOOR(RAND()*3),'yahoo','mercari','auction'),
         CONCAT('https://store.example/item/', FLOOR(RAND()*1000000000)),
         NOW() - INTERVAL FLOOR(RAND()*10000000) SECOND
  FROM benchdb.items LIMIT $((ROWS - n))"
  n=$(q -N -e 'select count(*) from benchdb.items')
  echo "rows: $n"
done
echo "benchdb ready"
